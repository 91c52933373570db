"""Guard-rails, leakage-free backtesting, selection with pins, aggregation, the pipeline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.engine import (
    DAILY,
    Blend,
    Candidate,
    ForecastTask,
    PipelineConfig,
    aggregate,
    backtest,
    run_forecast_pipeline,
    select_models,
)
from forecasting.engine.global_model import global_candidates
from forecasting.engine.intermittent import intermittent_candidates
from forecasting.engine.models import benchmark_candidates
from tests.forecasting.test_engine_basics import make_series, mixed_daily_frame

FAST_LGBM = {"num_boost_round": 20}


@pytest.fixture
def mixed_daily() -> pd.DataFrame:
    return mixed_daily_frame()


def fast_candidates() -> list[Candidate]:
    return [*benchmark_candidates(), *intermittent_candidates(), *global_candidates(**FAST_LGBM)]


def _failing(task: ForecastTask) -> pd.DataFrame:
    raise RuntimeError("boom")


def _garbage(task: ForecastTask) -> pd.DataFrame:
    out = task.future[["series_id", "ds"]].copy()
    values = {"smooth": np.nan, "intermittent": -50.0, "lumpy": 1e12, "erratic": 1.0}
    out["forecast"] = out["series_id"].map(values)
    return out


def test_guardrails_replace_failing_candidates(mixed_daily: pd.DataFrame) -> None:
    cands = [
        *benchmark_candidates(),
        Candidate("failing", _failing),
        Candidate("garbage", _garbage),
    ]
    res = backtest(mixed_daily, horizon=7, windows=1, granularity=DAILY, candidates=cands)
    fb = res.fallbacks.set_index(["model", "series_id"])["fallback_reason"]
    assert fb.loc[("failing", "smooth")].startswith("fit failed: RuntimeError")
    assert "non-finite" in fb.loc[("garbage", "smooth")]
    assert "negative" in fb.loc[("garbage", "intermittent")]
    assert "historical max" in fb.loc[("garbage", "lumpy")]
    assert ("garbage", "erratic") not in fb.index
    fc = res.forecasts.set_index(["model", "series_id", "ds"])["forecast"]
    assert fc.loc["failing"].equals(fc.loc["seasonal_naive"])
    assert np.isfinite(res.forecasts["forecast"]).all()


def test_backtest_sees_only_data_up_to_cutoff(mixed_daily: pd.DataFrame) -> None:
    seen: list[tuple[pd.Series, pd.DataFrame]] = []

    def spy(task: ForecastTask) -> pd.DataFrame:
        seen.append((task.history.groupby("series_id")["ds"].max(), task.future))
        return task.future[["series_id", "ds"]].assign(forecast=1.0)

    res = backtest(
        mixed_daily,
        horizon=7,
        windows=3,
        granularity=DAILY,
        candidates=[*benchmark_candidates(), Candidate("spy", spy)],
    )
    cutoffs = res.forecasts.groupby("window")["cutoff"].max().sort_values()
    assert len(seen) == 3
    for (last_seen, future), cutoff in zip(seen, cutoffs, strict=True):
        assert (last_seen <= cutoff).all()
        assert (future["ds"] > cutoff).all()
    assert (res.forecasts["ds"] > res.forecasts["cutoff"]).all()


def test_backtest_forecasts_do_not_change_when_future_data_changes(
    mixed_daily: pd.DataFrame,
) -> None:
    horizon, windows = 7, 2
    base = backtest(mixed_daily, horizon, windows, DAILY, fast_candidates())
    cutoff = base.forecasts.loc[base.forecasts["window"] == 0, "cutoff"].max()
    tampered = mixed_daily.copy()
    after = tampered["ds"] > cutoff
    tampered.loc[after, "y"] = tampered.loc[after, "y"] * 100 + 1000
    tampered.loc[after, "on_promotion"] = 1.0 - tampered.loc[after, "on_promotion"]
    other = backtest(tampered, horizon, windows, DAILY, fast_candidates())
    keys = ["series_id", "model", "ds"]
    a = base.forecasts[base.forecasts["window"] == 0].sort_values(keys)
    b = other.forecasts[other.forecasts["window"] == 0].sort_values(keys)
    np.testing.assert_allclose(a["forecast"].to_numpy(), b["forecast"].to_numpy())


def test_leaderboard_and_pins(mixed_daily: pd.DataFrame) -> None:
    res = backtest(mixed_daily, 7, 3, DAILY, fast_candidates())
    board = res.leaderboard
    assert {"rmsse", "mase", "wape", "bias", "n"} <= set(board.columns)
    assert (
        board.groupby("series_id")["model"].apply(set).map(lambda m: "seasonal_naive" in m)
    ).all()
    free = select_models(board, pins=None, backtest=res)
    pinned = select_models(board, pins={"smooth": Blend.single("naive")}, backtest=res)
    row = pinned.set_index("series_id").loc["smooth"]
    assert row["model"] == "naive" and bool(row["pinned"])
    best = board[board["series_id"] == "smooth"]["rmsse"].min()
    naive = board[(board["series_id"] == "smooth") & (board["model"] == "naive")]["rmsse"]
    assert row["pin_cost"] == pytest.approx(float(naive.iloc[0]) - best)
    assert row["pin_cost"] >= 0
    assert set(free["series_id"]) == set(mixed_daily["series_id"])
    assert free["fva_vs_seasonal_naive"].notna().all()


def test_aggregate_sums_children_with_a_coherent_band() -> None:
    rng = np.random.default_rng(3)
    dates = pd.date_range("2024-01-01", periods=5, freq="D")
    series = pd.DataFrame(
        {
            "store": np.repeat(["s1", "s1", "s2", "s2"], 5),
            "region": np.repeat(["r1", "r1", "r1", "r2"], 5),
            "date": np.tile(dates, 4),
            "forecast": rng.random(20) * 10,
        }
    )
    series["p50"] = series["forecast"]
    series["p10"] = series["forecast"] * 0.5
    series["p90"] = series["forecast"] * 1.5
    for by in (["store"], ["region"], []):
        out = aggregate(series, by).set_index([*by, "date"])
        expect = series.groupby([*by, "date"])["forecast"].sum()
        np.testing.assert_allclose(out.loc[expect.index, "forecast"], expect, atol=1e-9)
        assert (out["p10"] <= out["p50"]).all() and (out["p50"] <= out["p90"]).all()
        # Independent children: the sum's band is narrower than the sum of their bands.
        widths = (
            (series["p90"] - series["p10"])
            .groupby([series[c] for c in by] + [series["date"]])
            .sum()
        )
        assert ((out["p90"] - out["p10"]).loc[widths.index] <= widths + 1e-9).all()


def test_pipeline_small_mixed_set(mixed_daily: pd.DataFrame) -> None:
    calls: list[float] = []
    config = PipelineConfig(
        granularity=DAILY, horizon=14, windows=3, candidates=fast_candidates(), chunk_size=2
    )
    res = run_forecast_pipeline(
        mixed_daily, config, progress=lambda fraction, message: calls.append(fraction)
    )
    ids = set(mixed_daily["series_id"])
    assert set(res.forecasts["series_id"]) == ids
    assert set(res.selection["series_id"]) == ids
    assert res.forecasts.groupby("series_id").size().eq(14).all()
    cols = ["forecast", "p10", "p50", "p90"]
    assert res.forecasts[cols].notna().all().all()
    assert (res.forecasts["p10"] <= res.forecasts["p50"]).all()
    assert (res.forecasts["p50"] <= res.forecasts["p90"]).all()
    assert (res.forecasts[cols] >= 0).all().all()
    assert calls[-1] == 1.0
    assert {"series_id", "ds", "model", "forecast", "actual"} <= set(res.backtest_fits.columns)
    sel = res.selection.set_index("series_id")
    assert sel.loc["intermittent", "demand_class"] == "intermittent"


def test_pipeline_future_exog_and_short_series() -> None:
    n = 120
    t = np.arange(n + 7)
    promo = (t % 10 == 0).astype(float)
    y = 20 + 15 * promo[:n]
    hist = pd.concat(
        [
            make_series("p", y, on_promotion=promo[:n]),
            make_series("short", np.ones(5), start="2022-04-25", on_promotion=np.zeros(5)),
        ]
    )
    fut = make_series("p", np.zeros(7), start="2022-05-03", on_promotion=promo[n:])
    config = PipelineConfig(granularity=DAILY, horizon=7, windows=2, candidates=fast_candidates())
    res = run_forecast_pipeline(hist, config, future_exog=fut.drop(columns="y"))
    assert set(res.forecasts["series_id"]) == {"p", "short"}
    assert res.forecasts[["forecast", "p10", "p90"]].notna().all().all()
    assert res.selection.set_index("series_id").loc["short", "strategy"] == "too short to backtest"


# NaN is no absurd value but a period nobody observed: see test_engine_missing.py.
@pytest.mark.parametrize("absurd", [1e308, np.inf, -np.inf])
def test_an_absurd_series_cannot_move_the_other_forecasts(
    mixed_daily: pd.DataFrame, absurd: float
) -> None:
    config = PipelineConfig(granularity=DAILY, horizon=7, windows=2, candidates=fast_candidates())
    spiked = mixed_daily.copy()
    spiked.loc[spiked[spiked["series_id"] == "smooth"].index[-10], "y"] = absurd
    with_spike = run_forecast_pipeline(spiked, config)
    without = run_forecast_pipeline(mixed_daily[mixed_daily["series_id"] != "smooth"], config)

    others = with_spike.forecasts[with_spike.forecasts["series_id"] != "smooth"]
    pd.testing.assert_frame_equal(others.reset_index(drop=True), without.forecasts)
    flagged = with_spike.selection.set_index("series_id").loc["smooth"]
    assert flagged["fallback_reason"].startswith("history has 1 implausible value")
    own = with_spike.forecasts[with_spike.forecasts["series_id"] == "smooth"]
    typical = mixed_daily.loc[mixed_daily["series_id"] == "smooth", "y"].max()
    assert np.isfinite(own[["forecast", "p10", "p50", "p90"]]).all().all()
    assert own["p90"].max() < 10 * typical
