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
from .frames import future_frame, last_periods, tail_matrix

BENCHMARKS = ("naive", "seasonal_naive", "moving_average")


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
    freq: str
    season: int
    demand: pd.DataFrame = field(default_factory=pd.DataFrame)


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


def _smooth_with_history(min_len_seasons: int = 2) -> Callable[[ForecastTask], np.ndarray]:
    """Eligibility: non-intermittent series with at least ``min_len_seasons`` seasons."""

    def pick(task: ForecastTask) -> np.ndarray:
        counts = task.history.groupby("series_id", sort=True).size()
        ok = counts[counts >= min_len_seasons * task.season + 2].index.to_numpy()
        if task.demand.empty:
            return ok
        smooth = task.demand.loc[
            ~task.demand["demand_class"].isin(INTERMITTENT_CLASSES), "series_id"
        ]
        return np.intersect1d(ok, smooth.to_numpy())

    return pick


_ETS_GRID = [
    (a, b, g, p)
    for a in (0.05, 0.15, 0.3, 0.6)
    for b in (0.0, 0.1)
    for g in (0.02, 0.15, 0.35)
    for p in (0.9, 0.98)
    if g <= 1 - a
]


def ets(task: ForecastTask, window: int) -> pd.DataFrame:
    """Additive damped-trend Holt-Winters, vectorised across all series at once.

    statsforecast's AutoETS costs tens of milliseconds per series (measured), far over the
    30k-series budget, so the recursions run as numpy vector ops over series, and each series
    picks its smoothing parameters (alpha, beta, gamma, phi) from a small grid by in-sample
    one-step squared error.  Works for long seasons too (m = 52 weekly).
    """
    m = task.season
    ids, mat = tail_matrix(task.history, window)
    n, t_len = mat.shape
    row_mean = np.nan_to_num(np.nanmean(mat, axis=1))
    y = np.where(np.isnan(mat), row_mean[:, None], mat)
    first, second = y[:, :m], y[:, m : 2 * m]
    l0 = first.mean(axis=1)
    b0 = (second.mean(axis=1) - l0) / m if t_len >= 2 * m else np.zeros(n)
    s0 = first - l0[:, None]
    best_sse = np.full(n, np.inf)
    best_fc = np.zeros((n, task.horizon))
    steps = np.arange(1, task.horizon + 1)
    for alpha, beta, gamma, phi in _ETS_GRID:
        level, trend, season = l0.copy(), b0.copy(), s0.copy()
        sse = np.zeros(n)
        for t in range(m, t_len):
            k = t % m
            err = y[:, t] - (level + phi * trend + season[:, k])
            sse += err * err
            level = level + phi * trend + alpha * err
            trend = phi * trend + alpha * beta * err
            season[:, k] = season[:, k] + gamma * err
        better = sse < best_sse
        if better.any():
            damp = np.cumsum(phi**steps)
            seas = season[:, (t_len + steps - 1) % m]
            fc = level[:, None] + damp[None, :] * trend[:, None] + seas
            best_fc[better] = fc[better]
            best_sse[better] = sse[better]
    return _matrix_forecast(task, ids, best_fc)


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
    """ETS for every non-intermittent series with two seasons of history; ARIMA on the top
    ``arima_max_series`` of those by volume (0 disables it).

    Fits use the last ``window_seasons`` seasons (at least three years for weekly data).
    """

    def window(task: ForecastTask) -> int:
        return (
            max(window_seasons * task.season, 156)
            if task.season > 24
            else window_seasons * task.season
        )

    def top_volume(task: ForecastTask) -> np.ndarray:
        if task.season > 24:
            return np.array([], dtype=object)
        ok = _smooth_with_history()(task)
        vol = task.history[task.history["series_id"].isin(ok)].groupby("series_id")["y"].sum()
        return vol.abs().nlargest(arima_max_series).index.to_numpy()

    out = [Candidate("ets", lambda task: ets(task, window(task)), _smooth_with_history())]
    if arima_max_series > 0:
        out.append(Candidate("arima", lambda task: arima(task, window(task)), top_volume))
    return out
