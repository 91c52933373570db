"""Forecast candidates: the common interface, benchmarks and batch statistical models.

A :class:`Candidate` turns a :class:`ForecastTask` (training history cut at a forecast origin,
horizon, frequency, future exogenous values) into ``series_id, ds, forecast`` rows.  Benchmarks
are pure numpy over a (series × periods) matrix so they cost nothing even on 30k series; the
statistical models run through Nixtla statsforecast in one batch call per model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .classify import INTERMITTENT_CLASSES
from .ets import holt_winters_forecast
from .frames import future_frame, last_periods, tail_matrix
from .granularity import Granularity

BENCHMARKS = ("naive", "seasonal_naive", "moving_average")
# Forecasts by rule, nothing fitted: the benchmarks and the year-over-year seasonal naive.
RULES = (*BENCHMARKS, "seasonal_naive_yoy")


def periods_per_year(season: int) -> int:
    """364 days for daily data (52 whole weeks keep the weekday), else one season (52 weeks)."""
    return 364 if season == 7 else season


@dataclass
class ForecastTask:
    """Everything a candidate may look at for one forecast origin.

    ``history`` holds only data up to the origin (no leakage by construction); ``future`` is
    the ``series_id, ds, step`` grid of the horizon with exogenous columns filled, which are
    treated as known in advance (planned prices, promotions, calendar events).
    """

    history: pd.DataFrame
    future: pd.DataFrame
    horizon: int
    granularity: Granularity
    demand: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def freq(self) -> str:
        return self.granularity.freq

    @property
    def season(self) -> int:
        return self.granularity.season


@dataclass(frozen=True)
class Candidate:
    """A named forecasting method.

    ``predict`` returns ``series_id, ds, forecast`` for the series it received.  ``eligible``
    picks the series worth fitting from the task (e.g. Croston only for intermittent demand);
    ``None`` means every series.
    """

    name: str
    predict: Callable[[ForecastTask], pd.DataFrame]
    eligible: Callable[[ForecastTask], np.ndarray] | None = None


def _matrix_forecast(task: ForecastTask, ids: np.ndarray, values: np.ndarray) -> pd.DataFrame:
    """Attach a (series × horizon) forecast matrix to the task's future grid."""
    fut = task.future[task.future["series_id"].isin(ids)]
    row = pd.Index(ids).get_indexer(fut["series_id"].to_numpy())
    return pd.DataFrame(
        {
            "series_id": fut["series_id"].to_numpy(),
            "ds": fut["ds"].to_numpy(),
            "forecast": values[row, fut["step"].to_numpy() - 1],
        }
    )


def naive(task: ForecastTask) -> pd.DataFrame:
    """Repeat the last observation: the simplest benchmark any model must beat."""
    ids, mat = tail_matrix(task.history, 1)
    return _matrix_forecast(task, ids, np.repeat(mat[:, -1][:, None], task.horizon, 1))


def seasonal_naive(task: ForecastTask) -> pd.DataFrame:
    """Repeat the last full season; series shorter than one season repeat their last value."""
    m = task.season
    ids, mat = tail_matrix(task.history, m)
    last = np.nan_to_num(mat[:, -1])
    mat = np.where(np.isnan(mat), last[:, None], mat)
    steps = np.arange(task.horizon) % m
    return _matrix_forecast(task, ids, mat[:, steps])


def moving_average(task: ForecastTask) -> pd.DataFrame:
    """Flat forecast at the mean of the last few periods (4 weeks daily, a quarter weekly)."""
    window = 28 if task.season == 7 else max(4, task.season // 4)
    ids, mat = tail_matrix(task.history, window)
    level = np.nanmean(mat, axis=1)
    return _matrix_forecast(task, ids, np.repeat(level[:, None], task.horizon, 1))


YOY_RECENT_WEEKS = 13
YOY_RATIO_LIMITS = (0.5, 2.0)


def _yoy_needed(season: int) -> int:
    """History the year-over-year seasonal naive reads: a year plus the recent quarter (daily:
    and the week before the day one year back)."""
    week = 7 if season == 7 else 1
    return periods_per_year(season) + YOY_RECENT_WEEKS * week + (7 if season == 7 else 0)


def seasonal_naive_yoy(task: ForecastTask) -> pd.DataFrame:
    """Last year's same periods × the recent year-over-year level ratio.

    Retail practice for seasonal peaks: the shape of the season comes from last year (daily:
    the mean of the same weekday one week either side of 52 weeks back, as one day is noise),
    its level from how the last quarter compares with the same quarter a year earlier. The
    ratio is clipped to ``YOY_RATIO_LIMITS`` so a launch or a stock-out cannot blow it up.
    """
    season = task.season
    year = periods_per_year(season)
    week = 7 if season == 7 else 1
    recent = YOY_RECENT_WEEKS * week
    n = _yoy_needed(season)
    ids, mat = tail_matrix(task.history, n)
    mat = np.nan_to_num(mat)
    end = n - 1  # column of the origin
    now = mat[:, end - recent + 1 :].sum(axis=1)
    before = mat[:, end - recent + 1 - year : end + 1 - year].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(before > 0, now / before, 1.0)
    ratio = np.clip(np.nan_to_num(ratio, nan=1.0), *YOY_RATIO_LIMITS)
    steps = np.arange(1, task.horizon + 1)
    back = end - year + (steps - 1) % year + 1  # the same period one year back
    around = (-7, 0, 7) if season == 7 else (0,)
    shape = np.mean([mat[:, np.clip(back + d, 0, end)] for d in around], axis=0)
    return _matrix_forecast(task, ids, shape * ratio[:, None])


def _with_yoy_history(task: ForecastTask) -> np.ndarray:
    counts = task.history.groupby("series_id", sort=True).size()
    return counts[counts >= _yoy_needed(task.season)].index.to_numpy()


def yoy_candidates() -> list[Candidate]:
    """Seasonal naive scaled by the year-over-year level, for series with a year of history."""
    return [Candidate("seasonal_naive_yoy", seasonal_naive_yoy, _with_yoy_history)]


def benchmark_candidates() -> list[Candidate]:
    """Naive, seasonal naive and moving average: always fitted, always the fallback."""
    return [
        Candidate("naive", naive),
        Candidate("seasonal_naive", seasonal_naive),
        Candidate("moving_average", moving_average),
    ]


def statsforecast_predict(
    task: ForecastTask,
    model: object,
    window: int | None = None,
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Fit one statsforecast model on all task series in a single batch call.

    ``window`` keeps only the most recent periods per series: exponential smoothing and ARIMA
    weigh recent data most anyway, and it bounds cost on long daily histories.
    """
    from statsforecast import StatsForecast

    hist = task.history[["series_id", "ds", "y"]]
    if window:
        hist = last_periods(hist, window)
    df = hist.rename(columns={"series_id": "unique_id"})
    out = StatsForecast(models=[model], freq=task.freq, n_jobs=n_jobs).forecast(
        df=df, h=task.horizon
    )
    out = out.rename(columns={"unique_id": "series_id"})
    value_col = next(c for c in out.columns if c not in ("series_id", "ds"))
    fut = future_frame(hist, task.horizon, task.freq)
    out = out.assign(step=out.groupby("series_id", sort=False).cumcount() + 1)
    out = fut.merge(out[["series_id", "step", value_col]], on=["series_id", "step"], how="left")
    return out[["series_id", "ds"]].assign(forecast=out[value_col].to_numpy(float))


def _with_history(min_len_seasons: int = 2) -> Callable[[ForecastTask], np.ndarray]:
    """Eligibility: series with at least ``min_len_seasons`` seasons of history."""

    def pick(task: ForecastTask) -> np.ndarray:
        counts = task.history.groupby("series_id", sort=True).size()
        return counts[counts >= min_len_seasons * task.season + 2].index.to_numpy()

    return pick


def _smooth_with_history(min_len_seasons: int = 2) -> Callable[[ForecastTask], np.ndarray]:
    """Eligibility: non-intermittent series with at least ``min_len_seasons`` seasons."""

    def pick(task: ForecastTask) -> np.ndarray:
        ok = _with_history(min_len_seasons)(task)
        if task.demand.empty:
            return ok
        smooth = task.demand.loc[
            ~task.demand["demand_class"].isin(INTERMITTENT_CLASSES), "series_id"
        ]
        return np.intersect1d(ok, smooth.to_numpy())

    return pick


def ets(task: ForecastTask, window: int) -> pd.DataFrame:
    """Additive Holt-Winters with optional damped trend, per-series grid fit (see :mod:`.ets`)."""
    ids, mat = tail_matrix(task.history, window)
    return _matrix_forecast(task, ids, holt_winters_forecast(mat, task.season, task.horizon))


def arima(task: ForecastTask, window: int) -> pd.DataFrame:
    """Seasonal ARIMA of fixed order (1,0,1)(0,1,1)m via statsforecast; (1,0,0)(0,1,0)52 weekly.

    A fixed order avoids the AutoARIMA search; even so the fit costs ~50 ms per series, so the
    candidate only runs on the ``max_series`` highest-volume eligible series of a chunk.
    """
    from statsforecast.models import ARIMA

    m = task.season
    if m <= 24:
        model = ARIMA(order=(1, 0, 1), seasonal_order=(0, 1, 1), season_length=m)
    else:
        model = ARIMA(
            order=(1, 0, 0), seasonal_order=(0, 1, 0), season_length=m, include_constant=True
        )
    return statsforecast_predict(task, model, window)


def statistical_candidates(window_seasons: int = 16, arima_max_series: int = 10) -> list[Candidate]:
    """ETS for every series with a season of history (intermittent ones too: the backtest
    decides whether Croston or TSB beat it); ARIMA on the top ``arima_max_series``
    non-intermittent series by volume (0 disables it).

    ETS fits the last 52 seasons (a year of daily data, all of a weekly history): on held-out
    windows a year of history forecast clearly better than 16 weeks (WAPE 0.44 against 0.46
    on a demo company, 0.106 against 0.119 on Walmart) and the compiled fit makes it cheap.
    ARIMA uses the last ``window_seasons`` seasons (at least three years for weekly data).
    """

    def window(task: ForecastTask) -> int:
        return (
            max(window_seasons * task.season, 156)
            if task.season > 24
            else window_seasons * task.season
        )

    def ets_window(task: ForecastTask) -> int:
        return 52 * task.season

    def top_volume(task: ForecastTask) -> np.ndarray:
        if task.season > 24:
            return np.array([], dtype=object)
        ok = _smooth_with_history()(task)
        vol = task.history[task.history["series_id"].isin(ok)].groupby("series_id")["y"].sum()
        return vol.abs().nlargest(arima_max_series).index.to_numpy()

    out = [Candidate("ets", lambda task: ets(task, ets_window(task)), _with_history(1))]
    if arima_max_series > 0:
        out.append(Candidate("arima", lambda task: arima(task, window(task)), top_volume))
    return out
