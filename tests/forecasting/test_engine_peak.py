"""Peak awareness: the seasonal backtest window, year-over-year seasonal naive, holiday
calendar features, the strategy's noise rule and the level correction of the total."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.engine import DAILY, WEEKLY, Candidate, ForecastTask, backtest
from forecasting.engine.backtest import make_task, window_cuts
from forecasting.engine.level import MAX_CORRECTION, level_factor
from forecasting.engine.models import benchmark_candidates, seasonal_naive_yoy
from forecasting.engine.selection import _clearly_better
from forecasting.engine.yearly import holiday_distances, yearly_fourier
from tests.forecasting.test_engine_basics import make_series


def test_the_seasonal_window_cuts_one_year_back_unless_a_rolling_window_does() -> None:
    assert window_cuts(28, 3, 28, DAILY) == [364, 84, 56, 28]
    assert window_cuts(28, 3, 28, DAILY, seasonal=False) == [84, 56, 28]
    assert window_cuts(13, 4, 13, WEEKLY) == [52, 39, 26, 13]
    assert window_cuts(8, 2, 8, WEEKLY) == [52, 16, 8]


def _weekly_with_peak(weeks: int) -> pd.DataFrame:
    t = np.arange(weeks)
    peak = np.where(t % 52 >= 46, 3.0, 1.0)
    return make_series("s", 100 * peak, start="2020-01-03", freq="W-FRI")


def _late_starter(task: ForecastTask) -> pd.DataFrame:
    """Forecasts only from a history of 60 weeks on, as ETS needs a year of weekly data."""
    if task.history.groupby("series_id").size().min() < 60:
        return pd.DataFrame(columns=["series_id", "ds", "forecast"])
    return task.future[["series_id", "ds"]].assign(forecast=1.0)


def test_a_candidate_too_young_for_the_seasonal_window_is_scored_as_seasonal_naive() -> None:
    history = _weekly_with_peak(110)
    candidates = [*benchmark_candidates(), Candidate("late", _late_starter)]
    result = backtest(history, 8, 2, WEEKLY.ending_on(4), candidates)
    fc = result.forecasts
    assert sorted(fc["window"].unique()) == [0, 1, 2]
    seasonal = fc[fc["window"] == 0]
    # The seasonal window holds out the same weeks one year before the last 8.
    last = history["ds"].max()
    assert seasonal["ds"].min() == last - pd.Timedelta(weeks=52) + pd.Timedelta(weeks=1)
    late = seasonal[seasonal["model"] == "late"].set_index("ds")["forecast"]
    snaive = seasonal[seasonal["model"] == "seasonal_naive"].set_index("ds")["forecast"]
    pd.testing.assert_series_equal(late, snaive, check_names=False)
    assert (fc.loc[(fc["window"] == 2) & (fc["model"] == "late"), "forecast"] == 1.0).all()
    assert set(result.leaderboard["model"]) >= {"late", "seasonal_naive"}
    assert (result.leaderboard["n_windows"] == 3).all()


def test_yoy_seasonal_naive_scales_last_years_weeks_by_the_recent_ratio() -> None:
    weeks = 52 + 13
    t = np.arange(weeks)
    shape = 100 + 10 * (t % 52)
    growth = np.where(t >= 52, 1.2, 1.0)
    history = make_series("s", shape * growth, start="2021-01-01", freq="W-FRI")
    task = make_task(history, 13, WEEKLY.ending_on(4), None)
    forecast = seasonal_naive_yoy(task)["forecast"].to_numpy()
    last_year = shape[13:26]
    np.testing.assert_allclose(forecast, last_year * 1.2)


def test_yoy_ratio_is_clipped() -> None:
    t = np.arange(65)
    y = np.where(t >= 52, 1000.0, 1.0)
    history = make_series("s", y, start="2021-01-01", freq="W-FRI")
    task = make_task(history, 4, WEEKLY.ending_on(4), None)
    np.testing.assert_allclose(seasonal_naive_yoy(task)["forecast"], 2.0)


def test_holiday_distances_are_signed_days_to_the_nearest_holiday() -> None:
    dates = pd.Series(pd.to_datetime(["2011-11-25", "2025-04-13", "2025-12-31", "2025-07-01"]))
    days = holiday_distances(dates)
    assert days.loc[0, "cal_days_thanksgiving"] == 1  # Black Friday
    assert days.loc[0, "cal_days_christmas"] == -30
    assert days.loc[1, "cal_days_easter"] == -7  # Easter 2025: 20 April
    assert days.loc[2, "cal_days_new_year"] == -1
    assert days.loc[2, "cal_days_christmas"] == 6
    assert days.loc[3].abs().max() == 60  # far from every holiday: clipped
    fourier = yearly_fourier(dates)
    np.testing.assert_allclose(fourier.pow(2)[["cal_year_sin1", "cal_year_cos1"]].sum(axis=1), 1)


def _fits(ratios: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {"window": range(len(ratios)), "forecast": 100.0, "actual": [100.0 * r for r in ratios]}
    )


def test_level_factor_corrects_only_a_bias_every_window_shares() -> None:
    assert level_factor(_fits([1.10, 1.04, 1.20])) == pytest.approx(1.04)
    assert level_factor(_fits([0.90, 0.95])) == pytest.approx(0.95)
    assert level_factor(_fits([1.10, 0.95, 1.20])) == 1.0
    assert level_factor(_fits([1.10])) == 1.0
    assert level_factor(_fits([3.0, 4.0])) == pytest.approx(MAX_CORRECTION)


def test_a_per_series_strategy_must_win_beyond_the_noise_of_the_windows() -> None:
    default = np.array([[10.0, 100.0], [10.0, 100.0], [10.0, 100.0]])
    steady = np.array([[9.0, 100.0], [9.0, 100.0], [9.5, 100.0]])
    noisy = np.array([[5.0, 100.0], [14.0, 100.0], [9.0, 100.0]])
    stale = np.array([[8.0, 100.0], [8.0, 100.0], [10.5, 100.0]])
    assert _clearly_better(steady, default)
    assert not _clearly_better(noisy, default)
    assert not _clearly_better(stale, default)
