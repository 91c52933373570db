"""The compiled Holt-Winters kernel, the global model's features and weighted combinations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.engine import Blend, select_models, selected_forecasts
from forecasting.engine.backtest import BacktestResult, leaderboard_from_errors
from forecasting.engine.ets import holt_winters_forecast
from forecasting.engine.global_model import build_features
from forecasting.engine.selection import combination_weights


def test_holt_winters_continues_a_clean_weekly_profile() -> None:
    profile = np.array([10.0, 12.0, 11.0, 13.0, 20.0, 30.0, 25.0])
    mat = np.tile(profile, 20)[None, :]
    forecast = holt_winters_forecast(mat, season=7, horizon=14)
    np.testing.assert_allclose(forecast[0], np.tile(profile, 2), atol=1e-6)


def test_holt_winters_follows_a_level_shift_and_ignores_left_padding() -> None:
    rng = np.random.default_rng(3)
    values = np.r_[np.full(70, 100.0), np.full(70, 150.0)] + rng.normal(0, 1, 140)
    padded = np.r_[np.full(60, np.nan), values]
    forecast = holt_winters_forecast(
        np.vstack([padded, np.r_[np.full(200 - 8, np.nan), 1.0, 2.0, 3, 4, 5, 6, 7, 8]]), 7, 7
    )
    assert forecast[0] == pytest.approx(np.full(7, 150.0), abs=5.0)
    assert np.isnan(forecast[1]).all(), "one season and a period is too short to fit"


def _yearly_frame(n: int = 800) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    t = np.arange(n)
    y = 20 + 5 * np.sin(2 * np.pi * t / 364) + rng.poisson(3, n)
    frame = pd.DataFrame(
        {
            "series_id": 0,
            "ds": pd.date_range("2023-01-02", periods=n, freq="D"),
            "y": y.astype(float),
        }
    )
    frame["scale"] = frame["y"].mean()
    frame["y_scaled"] = frame["y"] / frame["scale"]
    return frame


@pytest.mark.parametrize("horizon", [7, 28])
def test_every_global_feature_uses_only_demand_a_horizon_back(horizon: int) -> None:
    """Changing demand from position p on must leave every feature before p + horizon alone."""
    base = build_features(_yearly_frame(), horizon, 7)
    assert base["roll_ly_ratio"].notna().any(), "the yearly features must be exercised"
    p = 600
    tampered = _yearly_frame()
    tampered.loc[p:, "y_scaled"] = tampered.loc[p:, "y_scaled"] * 7 + 3
    other = build_features(tampered, horizon, 7)
    names = [c for c in base.columns if c.startswith(("lag_", "roll_"))]
    before = slice(0, p + horizon - 1)
    pd.testing.assert_frame_equal(base.loc[before, names], other.loc[before, names])
    assert not base.loc[p + horizon :, names].equals(other.loc[p + horizon :, names])


def test_selected_forecasts_weigh_components() -> None:
    forecasts = pd.DataFrame(
        {
            "series_id": ["s", "s"],
            "ds": pd.to_datetime(["2025-01-01"] * 2),
            "model": ["ets", "lightgbm"],
            "forecast": [10.0, 20.0],
        }
    )
    weighted = Blend(("ets", "lightgbm"), (1, 3))
    selection = pd.DataFrame({"series_id": ["s"], "model": [weighted.name], "blend": [weighted]})
    out = selected_forecasts(forecasts, selection)
    assert out["forecast"].tolist() == [pytest.approx(17.5)]
    assert out["model"].tolist() == ["combo:ets+lightgbm"]
    equal = selected_forecasts(forecasts, selection.assign(blend=[Blend.from_name(weighted.name)]))
    assert equal["forecast"].tolist() == [pytest.approx(15.0)]


# Each model's forecast error as a multiple of a common miss; seasonal naive's sign is random.
OPPOSITE_ERRORS = {"ets": 1.0, "lightgbm": -1.0, "seasonal_naive": 3.0, "naive": 4.0}


def _backtest_with_opposite_errors(
    series: int = 30, windows: int = 3, misses: dict[str, float] = OPPOSITE_ERRORS
) -> BacktestResult:
    """Models err by ``misses`` times a common miss (by default two fitted models by the same
    amount in opposite directions, benchmarks more)."""
    rng = np.random.default_rng(1)
    rows = []
    for sid in range(series):
        for window in range(windows):
            for step in range(1, 8):
                actual = 50 + rng.normal(0, 5)
                miss = 8 + rng.normal(0, 1)
                sign = rng.choice([-1, 1])
                for model, times in misses.items():
                    flip = sign if model == "seasonal_naive" else 1
                    rows.append((sid, window, step, model, actual + flip * times * miss, actual))
    fc = pd.DataFrame(rows, columns=["series_id", "window", "step", "model", "forecast", "actual"])
    fc["cutoff"] = pd.Timestamp("2025-01-01") + pd.to_timedelta(fc["window"] * 7, unit="D")
    fc["ds"] = fc["cutoff"] + pd.to_timedelta(fc["step"], unit="D")
    err = fc["forecast"] - fc["actual"]
    errors = (
        fc.assign(abs_err=err.abs(), abs_act=fc["actual"].abs(), err=err, n=1)
        .groupby(["series_id", "model", "window"], as_index=False)[
            ["abs_err", "abs_act", "err", "n"]
        ]
        .sum()
    )
    errors["wape"] = errors["abs_err"] / errors["abs_act"]
    errors["bias"] = errors["err"] / errors["abs_act"]
    errors["mase"] = errors["abs_err"] / errors["n"] / 5.0
    errors["rmsse"] = errors["mase"]
    return BacktestResult(fc, errors, leaderboard_from_errors(errors), pd.DataFrame(), {})


def test_selection_blends_two_models_whose_errors_cancel() -> None:
    bt = _backtest_with_opposite_errors()
    selection = select_models(bt.leaderboard, backtest=bt)
    assert (selection["strategy"] == "global").all()
    assert (selection["model"] == "combo:ets+lightgbm").all()
    assert (selection["blend"] == Blend.equal(("ets", "lightgbm"))).all()
    picked = selected_forecasts(bt.forecasts, selection)
    blended = (picked["forecast"] - picked["actual"]).abs().sum() / picked["actual"].sum()
    assert blended < 0.01
    assert (selection["fva_vs_seasonal_naive"] > 0).all()


def test_two_leading_rules_are_not_blended_with_each_other() -> None:
    # Naive ranks second, but a rule only repeats the leading rule: ETS is its partner.
    misses = {"seasonal_naive_yoy": 1.0, "naive": -1.1, "ets": -1.5, "lightgbm": 2.0}
    bt = _backtest_with_opposite_errors(misses=misses)
    selection = select_models(bt.leaderboard, backtest=bt)
    assert (selection["model"] == "combo:ets+seasonal_naive_yoy").all()


def _two_biased_models(second_error: float) -> pd.DataFrame:
    """``ets`` always 10 over the actual, ``lightgbm`` always ``second_error`` over it."""
    actual = np.linspace(50, 150, 40)
    index = pd.MultiIndex.from_product([range(2), range(20)], names=["series_id", "step"])
    base = pd.DataFrame({"actual": actual}, index=index).reset_index()
    base = base.assign(window=0, ds=pd.Timestamp("2025-01-01") + pd.to_timedelta(base["step"], "D"))
    return pd.concat(
        [
            base.assign(model="ets", forecast=base["actual"] + 10),
            base.assign(model="lightgbm", forecast=base["actual"] + second_error),
        ],
        ignore_index=True,
    )


def test_blend_weights_follow_the_backtest() -> None:
    # Errors of the same sign: any share of the worse model only adds error.
    assert combination_weights(_two_biased_models(12.0), "ets", "lightgbm") == [1, 0]
    # Opposite signs, the partner 3x as wrong: a quarter of it cancels the bias exactly.
    assert combination_weights(_two_biased_models(-30.0), "ets", "lightgbm") == [3, 1]
    # Opposite signs, the partner 5/3 as wrong: 5:3 cancels it, on the grid of eighths.
    assert combination_weights(_two_biased_models(-50 / 3), "ets", "lightgbm") == [5, 3]
    # A partner without a single forecast leaves the model that has them.
    no_partner = _two_biased_models(12.0).query("model == 'ets'")
    assert combination_weights(no_partner, "ets", "lightgbm") == [1, 0]


def test_blend_weights_follow_the_latest_window() -> None:
    # The partner was far off in an earlier window (say, a peak it had no history for) but
    # cancels the model's bias in the latest one: the latest window sets the weights.
    earlier = _two_biased_models(200.0)
    latest = _two_biased_models(-30.0).assign(window=1)
    latest["ds"] += pd.Timedelta(days=20)
    both = pd.concat([earlier, latest], ignore_index=True)
    assert combination_weights(both, "ets", "lightgbm") == [3, 1]
