"""Rolling-origin backtest of every candidate, the evidence behind model selection.

The rolling windows cut each series ``horizon + k * step`` periods before its end (k = 0 …
windows - 1); candidates see only data up to that cut-off (classification and error scales are
recomputed from it too) and forecast the next ``horizon`` periods, which are scored against
the held-out actuals.

Beside them, a *seasonal window* cuts one year before the end, so it holds out the season the
forecast is about, one year earlier: without it, selection before a peak (Thanksgiving to
Christmas) only ever sees the ordinary weeks that precede it. Where a rolling window already
cuts there (13-week windows on weekly data), that window is the seasonal one. Windows are
numbered from the earliest (0).

A candidate that forecasts a series in the latest window but could not in an earlier one (too
little history before it: ETS and the year-over-year seasonal naive need a year of weekly data,
so a history of two years cannot give them the seasonal window) is scored there with seasonal
naive's forecast, as if it fell back: it keeps its place in selection, judged against the
others where it could forecast, and the window still ranks the candidates that can.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .classify import classify_demand
from .frames import (
    drop_last_periods,
    exog_columns,
    future_frame,
    last_periods,
    sort_history,
    with_future_exog,
)
from .granularity import Granularity
from .guardrails import run_candidates
from .metrics import error_table, naive_scales, ratio
from .missing import observed
from .models import Candidate, ForecastTask, periods_per_year


@dataclass
class BacktestResult:
    """Backtest output.

    ``forecasts``: series_id, window, cutoff, step, ds, model, forecast, actual.
    ``errors``: one row per series × model × window (wape, bias, mase, rmsse, abs_err, abs_act,
    err, n).  ``leaderboard``: series × model means over windows (rmsse, mase, wape, bias, n,
    n_windows).  ``fallbacks``: guard-rail replacements.  ``timings``: seconds per candidate.
    """

    forecasts: pd.DataFrame
    errors: pd.DataFrame
    leaderboard: pd.DataFrame
    fallbacks: pd.DataFrame
    timings: dict[str, float] = field(default_factory=dict)


def default_candidates(
    prophet_max_series: int = 0,
    arima_max_series: int = 10,
    lightgbm_params: dict | None = None,
) -> list[Candidate]:
    """Benchmarks, year-over-year seasonal naive, ETS/ARIMA, Croston SBA/TSB, global LightGBM
    and (capped) Prophet."""
    from .global_model import global_candidates
    from .intermittent import intermittent_candidates
    from .models import benchmark_candidates, statistical_candidates, yoy_candidates
    from .prophet_model import prophet_candidates

    return [
        *benchmark_candidates(),
        *yoy_candidates(),
        *statistical_candidates(arima_max_series=arima_max_series),
        *intermittent_candidates(),
        *global_candidates(**(lightgbm_params or {})),
        *prophet_candidates(prophet_max_series),
    ]


def make_task(
    train: pd.DataFrame,
    horizon: int,
    granularity: Granularity,
    exog_source: pd.DataFrame | None,
) -> ForecastTask:
    """Build the task for one origin: future grid plus exogenous values known in advance."""
    future = with_future_exog(train, future_frame(train, horizon, granularity.freq), exog_source)
    return ForecastTask(train, future, horizon, granularity, classify_demand(train))


def window_cuts(
    horizon: int, windows: int, step: int, granularity: Granularity, seasonal: bool = True
) -> list[int]:
    """Periods cut from each series' end per backtest window, earliest window first.

    The rolling windows plus, if ``seasonal``, the seasonal one (a year before the end) when
    the year is longer than the horizon and no rolling window already cuts there.
    """
    cuts = {horizon + k * step for k in range(windows)}
    year = periods_per_year(granularity.season)
    if seasonal and year > horizon:
        cuts.add(year)
    return sorted(cuts, reverse=True)


def _fill_earlier_windows(parts: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """Score a candidate that forecasts a series in the latest window but could not in an
    earlier one (too little history before it) with seasonal naive's forecast there."""
    if len(parts) < 2 or parts[-1].empty:
        return parts
    latest = parts[-1][["series_id", "model"]].drop_duplicates()
    out = []
    for fc in parts[:-1]:
        have = fc[["series_id", "model"]].drop_duplicates()
        missing = latest[latest["series_id"].isin(have["series_id"].unique())]
        missing = missing.merge(have, how="left", indicator=True)
        missing = missing.loc[missing["_merge"] == "left_only", ["series_id", "model"]]
        snaive = fc[fc["model"] == "seasonal_naive"].drop(columns="model")
        filler = snaive.merge(missing, on="series_id")
        out.append(pd.concat([fc, filler[fc.columns]], ignore_index=True) if len(filler) else fc)
    return [*out, parts[-1]]


def leaderboard_from_errors(errors: pd.DataFrame) -> pd.DataFrame:
    """Mean error per series × model over windows; pooled wape/bias from absolute sums."""
    g = errors.groupby(["series_id", "model"], sort=True)
    sums = g[["abs_err", "abs_act", "err", "n"]].sum()
    board = g[["rmsse", "mase"]].mean()
    board["wape"] = ratio(sums["abs_err"], sums["abs_act"])
    board["bias"] = ratio(sums["err"].abs(), sums["abs_act"]) * np.sign(sums["err"])
    board["n"] = sums["n"]
    board["n_windows"] = g.size()
    return board.reset_index()


def backtest(
    history: pd.DataFrame,
    horizon: int,
    windows: int,
    granularity: Granularity,
    candidates: list[Candidate] | None = None,
    future_exog: pd.DataFrame | None = None,
    step: int | None = None,
    seasonal_window: bool = True,
) -> BacktestResult:
    """Rolling-origin evaluation of ``candidates`` (default :func:`default_candidates`).

    ``future_exog`` is only a lookup table of exogenous values: test-window exogenous values
    come from ``history`` rows, or from ``future_exog`` where history lacks them.
    ``seasonal_window`` adds the window one year before the end (see the module docstring).
    """
    history = sort_history(history)
    candidates = candidates if candidates is not None else default_candidates()
    step = step or horizon
    season = granularity.season
    cuts = window_cuts(horizon, windows, step, granularity, seasonal_window)
    exog_cols = exog_columns(history)
    # Only the test windows look exogenous values up: keep those rows, not the whole history.
    exog_source = last_periods(history[["series_id", "ds", *exog_cols]], max(cuts))
    if future_exog is not None:
        exog_source = pd.concat(
            [future_exog[["series_id", "ds", *exog_cols]], exog_source], ignore_index=True
        ).drop_duplicates(["series_id", "ds"], keep="last")
    # Periods nobody observed (see .missing) are not scored.
    actuals = observed(history)[["series_id", "ds", "y"]].rename(columns={"y": "actual"})
    fc_parts, fb_parts, scale_parts, timings = [], [], {}, {}
    for w, cut in enumerate(cuts):
        train = drop_last_periods(history, cut)
        counts = train.groupby("series_id").size()
        train = train[train["series_id"].isin(counts[counts >= 2].index)]
        if train.empty:
            continue
        task = make_task(train, horizon, granularity, exog_source)
        run = run_candidates(task, candidates)
        for name, sec in run.timings.items():
            timings[name] = timings.get(name, 0.0) + sec
        cutoff = train.groupby("series_id")["ds"].max()
        fc = run.forecasts.merge(actuals, on=["series_id", "ds"], how="inner")
        fc = fc.merge(task.future[["series_id", "ds", "step"]], on=["series_id", "ds"])
        fc["window"] = w
        fc["cutoff"] = fc["series_id"].map(cutoff)
        scale_parts[w] = naive_scales(train, season)
        fc_parts.append(fc)
        fb_parts.append(run.fallbacks.assign(window=w))
    fc_parts = _fill_earlier_windows(fc_parts)
    err_parts = []
    for fc in fc_parts:
        w = int(fc["window"].iloc[0]) if len(fc) else 0
        for model, part in fc.groupby("model", sort=False):
            err = error_table(part, scale_parts[w]).reset_index()
            err_parts.append(err.assign(model=model, window=w))
    forecasts = pd.concat(fc_parts, ignore_index=True)
    errors = pd.concat(err_parts, ignore_index=True)
    fallbacks = pd.concat(fb_parts, ignore_index=True)
    cols = ["series_id", "window", "cutoff", "step", "ds", "model", "forecast", "actual"]
    return BacktestResult(
        forecasts[cols], errors, leaderboard_from_errors(errors), fallbacks, timings
    )
