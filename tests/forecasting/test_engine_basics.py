"""Classification, metrics and prediction intervals on hand-checkable data.

Also home of the synthetic series helpers the other engine tests import.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.engine import (
    accuracy,
    add_intervals,
    bias,
    classify_demand,
    lead_time_demand,
    mape_nonzero,
    mase,
    naive_scales,
    rmsse,
    wape,
)


def make_series(
    sid: str, y: np.ndarray, start: str = "2022-01-03", freq: str = "D", **exog: np.ndarray
) -> pd.DataFrame:
    ds = pd.date_range(start, periods=len(y), freq=freq)
    return pd.DataFrame(
        {"series_id": sid, "ds": ds.astype("datetime64[ns]"), "y": np.asarray(y, float), **exog}
    )


def mixed_daily_frame() -> pd.DataFrame:
    """Smooth weekly-seasonal, intermittent, lumpy and erratic daily series with promotions."""
    rng = np.random.default_rng(42)
    n = 280
    t = np.arange(n)
    dow = np.array([1.0, 1.0, 1.1, 1.2, 1.5, 2.0, 1.6])
    promo = (rng.random(n) < 0.1).astype(float)
    parts = [
        make_series(
            "smooth",
            50 * dow[t % 7] * (1 + 0.5 * promo) + rng.normal(0, 2, n),
            on_promotion=promo,
            price=np.full(n, 3.0),
            event=np.zeros(n),
        ),
        make_series(
            "intermittent",
            (rng.random(n) < 0.2) * rng.poisson(3, n) + 0.0,
            on_promotion=np.zeros(n),
            price=np.full(n, 1.0),
            event=np.zeros(n),
        ),
        make_series(
            "lumpy",
            (rng.random(n) < 0.15) * rng.lognormal(2, 1.2, n),
            on_promotion=np.zeros(n),
            price=np.full(n, 2.0),
            event=np.zeros(n),
        ),
        make_series(
            "erratic",
            rng.lognormal(3, 1.0, n),
            on_promotion=np.zeros(n),
            price=np.full(n, 5.0),
            event=np.zeros(n),
        ),
    ]
    return pd.concat(parts, ignore_index=True)


@pytest.fixture
def mixed_daily() -> pd.DataFrame:
    return mixed_daily_frame()


def test_classify_demand_labels(mixed_daily: pd.DataFrame) -> None:
    cls = classify_demand(mixed_daily).set_index("series_id")["demand_class"]
    assert cls["smooth"] == "smooth"
    assert cls["intermittent"] == "intermittent"
    assert cls["lumpy"] == "lumpy"
    assert cls["erratic"] == "erratic"


def test_classify_demand_values() -> None:
    hist = make_series("a", [0, 2, 0, 4, 0, 0])
    row = classify_demand(hist).iloc[0]
    assert row["adi"] == pytest.approx(3.0)
    assert row["cv2"] == pytest.approx(np.var([2, 4], ddof=1) / 9.0)


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "series_id": ["a", "a", "a", "b", "b"],
            "actual": [10.0, 0.0, 20.0, 5.0, 5.0],
            "forecast": [12.0, 1.0, 17.0, 5.0, 5.0],
        }
    )


def test_metrics_hand_computed() -> None:
    f = _frame()
    assert wape(f)["a"] == pytest.approx(6 / 30)
    assert wape(f)["b"] == 0.0
    assert accuracy(f)["a"] == pytest.approx(1 - 6 / 30)
    assert bias(f)["a"] == pytest.approx(0.0)
    assert mape_nonzero(f)["a"] == pytest.approx((0.2 + 0.15) / 2)
    hist = pd.concat([make_series("a", [1, 3, 2, 6]), make_series("b", [5, 5, 5, 5])])
    scales = naive_scales(hist, season=2)
    assert scales.loc["a", "mase_scale"] == pytest.approx((1 + 3) / 2)
    assert scales.loc["a", "rmsse_scale"] == pytest.approx((4 + 1 + 16) / 3)
    assert mase(f, scales)["a"] == pytest.approx(2.0 / 2.0)
    assert rmsse(f, scales)["a"] == pytest.approx(np.sqrt((4 + 1 + 9) / 3 / 7))
    assert scales.loc["b", "mase_scale"] == pytest.approx(5.0)


def _residual_setup() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(1)
    hist = pd.concat([make_series("a", rng.poisson(5, 60)), make_series("b", rng.poisson(1, 60))])
    rows = []
    for sid in ("a", "b"):
        for w in range(3):
            for step in range(1, 8):
                rows.append(
                    {
                        "series_id": sid,
                        "window": w,
                        "step": step,
                        "forecast": 4.0,
                        "actual": float(rng.poisson(4)),
                    }
                )
    bt = pd.DataFrame(rows)
    fc = pd.DataFrame(
        {
            "series_id": np.repeat(["a", "b", "c"], 7),
            "step": np.tile(np.arange(1, 8), 3),
            "forecast": np.tile(np.linspace(0.0, 3.0, 7), 3),
        }
    )
    return hist, bt, fc


def test_intervals_monotone_nonnegative_any_quantiles() -> None:
    hist, bt, fc = _residual_setup()
    hist = pd.concat([hist, make_series("c", np.ones(60))])
    qs = (0.05, 0.1, 0.5, 0.9, 0.975)
    out = add_intervals(fc, bt, hist, qs)
    cols = ["p5", "p10", "p50", "p90", "p97.5"]
    mat = out[cols].to_numpy()
    assert np.all(np.diff(mat, axis=1) >= 0)
    assert np.all(mat >= 0)
    assert not np.isnan(mat).any()


def test_lead_time_demand_quantiles() -> None:
    _, bt, fc = _residual_setup()
    ltd = lead_time_demand(fc, bt, lead_time=5, quantiles=(0.1, 0.5, 0.9, 0.95))
    assert set(ltd["series_id"]) == {"a", "b", "c"}
    assert np.all(np.diff(ltd[["p10", "p50", "p90", "p95"]].to_numpy(), axis=1) >= 0)
    assert ltd.set_index("series_id").loc["a", "mean"] == pytest.approx(
        np.linspace(0.0, 3.0, 7)[:5].sum()
    )
