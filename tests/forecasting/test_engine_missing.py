"""Missing periods (y = NaN) in the engine: imputed for the models, never scored."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.engine import DAILY, WEEKLY, PipelineConfig, backtest, run_forecast_pipeline
from forecasting.engine.metrics import error_table, naive_scales
from forecasting.engine.missing import MISSING, fill_missing, observed, unfilled
from forecasting.engine.models import benchmark_candidates, statistical_candidates
from tests.forecasting.test_engine_backtest import fast_candidates
from tests.forecasting.test_engine_basics import make_series, mixed_daily_frame


def with_gaps(frame: pd.DataFrame, every: int = 9) -> tuple[pd.DataFrame, pd.Series]:
    """``frame`` with every ``every``-th row of each series set to NaN (a store that did not
    report), and the mask of those rows."""
    position = frame.groupby("series_id").cumcount()
    gaps = (position % every == every - 1) & (position > 0)
    return frame.assign(y=frame["y"].mask(gaps)), gaps


def test_local_level_uses_the_same_weekday_and_only_the_past():
    y = np.tile([1.0, 2, 3, 4, 5, 6, 70], 6)
    y[[0, 36, 41]] = np.nan  # a Monday before any other Monday, a Tuesday, a Sunday
    filled = fill_missing(make_series("a", y), DAILY)
    assert filled[MISSING].tolist() == list(np.isnan(y))
    # No earlier Monday: the first one after. Later gaps: the mean of earlier same weekdays.
    assert filled["y"].iloc[[0, 36, 41]].tolist() == [1.0, 2.0, 70.0]
    assert unfilled(filled)["y"].isna().tolist() == list(np.isnan(y))
    assert len(observed(filled)) == len(y) - 3


def test_weekly_level_is_the_mean_of_the_weeks_before():
    y = np.array([10.0, 20, 30, 40, 50, np.nan, 70])
    filled = fill_missing(make_series("w", y, freq="W-SUN"), WEEKLY)
    assert filled["y"].iloc[5] == 35.0  # mean of 20, 30, 40, 50


def test_a_frame_without_gaps_is_unchanged_but_flagged():
    frame = make_series("a", np.arange(10.0))
    filled = fill_missing(frame, DAILY)
    assert filled["y"].tolist() == frame["y"].tolist() and not filled[MISSING].any()


def test_error_tables_leave_unobserved_actuals_out():
    frame = pd.DataFrame(
        {"series_id": "a", "actual": [10.0, np.nan, 10.0], "forecast": [12.0, 99.0, 8.0]}
    )
    scales = naive_scales(make_series("a", np.arange(10.0)), 7)
    table = error_table(frame, scales)
    assert table.loc["a", "n"] == 2 and table.loc["a", "abs_err"] == 4.0
    assert table.loc["a", "wape"] == 0.2


def test_backtest_scores_observed_periods_only():
    history, gaps = with_gaps(mixed_daily_frame())
    filled = fill_missing(history, DAILY)
    result = backtest(filled, 14, 2, DAILY, candidates=benchmark_candidates())
    points = result.forecasts[["series_id", "ds"]].drop_duplicates()
    missing = history.loc[gaps, ["series_id", "ds"]]
    assert points.merge(missing).empty
    tested = filled.groupby("series_id").tail(28)
    expected = (~tested[MISSING]).groupby(tested["series_id"]).sum()
    counted = result.errors[result.errors["model"] == "naive"].groupby("series_id")["n"].sum()
    assert counted.sort_index().tolist() == expected.sort_index().tolist()
    assert np.isfinite(result.forecasts["actual"]).all()


def test_a_nan_is_a_missing_period_not_an_implausible_value():
    history = mixed_daily_frame()
    history.loc[history[history["series_id"] == "smooth"].index[-10], "y"] = np.nan
    config = PipelineConfig(
        granularity=DAILY, horizon=7, windows=2, candidates=benchmark_candidates()
    )
    result = run_forecast_pipeline(history, config)
    reasons = result.selection.set_index("series_id")["fallback_reason"]
    assert reasons["smooth"] == "" and np.isfinite(result.forecasts["forecast"]).all()


def test_pipeline_with_gaps_forecasts_finite_values_not_dragged_down():
    history, _ = with_gaps(mixed_daily_frame(), every=5)
    config = PipelineConfig(
        granularity=DAILY,
        horizon=14,
        windows=2,
        candidates=[*fast_candidates(), *statistical_candidates(arima_max_series=0)],
    )
    result = run_forecast_pipeline(history, config)
    assert len(result.forecasts) == 4 * 14
    assert np.isfinite(result.forecasts["forecast"]).all()
    assert np.isfinite(result.backtest_fits["actual"]).all()
    # Zeros in place of the gaps pull the level down by about a fifth; missing does not.
    zeros = run_forecast_pipeline(history.fillna({"y": 0.0}), config)
    smooth = result.forecasts[result.forecasts["series_id"] == "smooth"]["forecast"].sum()
    smooth_zeros = zeros.forecasts[zeros.forecasts["series_id"] == "smooth"]["forecast"].sum()
    level = history[history["series_id"] == "smooth"]["y"].tail(56).mean() * 14
    assert smooth > smooth_zeros and abs(smooth / level - 1) < 0.15
