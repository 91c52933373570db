"""End-to-end forecast run for a set of series: the single entry point of the service layer.

classify → backtest every candidate → select per series → refit on full history → forecast
→ guard-rails → level correction of the total → prediction intervals.  Series are processed
in chunks of ``chunk_size`` (the global model is trained per chunk), so calling the pipeline
on disjoint subsets of series — as the service does when it fans chunks out to workers —
gives the same kind of result.
Series with absurd history (:mod:`.plausibility`) form a chunk of their own.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .backtest import backtest, default_candidates, make_task, window_cuts
from .blend import Blend
from .classify import classify_demand
from .frames import exog_columns, sort_history
from .global_model import periods_needed
from .granularity import Granularity
from .guardrails import run_candidates
from .intervals import DEFAULT_QUANTILES, add_intervals
from .level import level_factor
from .missing import fill_missing
from .models import BENCHMARKS, Candidate, benchmark_candidates
from .plausibility import implausible_series, with_absurd_values_replaced
from .results import BACKTEST_FIT_COLUMNS, FRAMES, ForecastResults
from .selection import select_models, selected_forecasts

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class PipelineConfig:
    """How to forecast: the grain and horizon, the backtest, the candidates and the pins.

    ``candidates`` defaults to :func:`default_candidates` with the Prophet/ARIMA caps given;
    Prophet and ARIMA caps and the global model apply per chunk of ``chunk_size`` series.
    ``pins`` force a model or a blend per series. ``max_history`` keeps only the most recent
    periods per series (default: :func:`history_periods`). ``combine_top`` is the size of a
    per-series combination; ``keep_all_backtest_fits`` keeps every candidate's backtest
    forecasts instead of the selected model's and seasonal naive's. ``seasonal_window`` adds
    a backtest window on the same season one year earlier (see :mod:`.backtest`);
    ``correct_level`` removes a bias of the chunk's total common to every backtest window
    (see :mod:`.level`).
    """

    granularity: Granularity
    horizon: int
    windows: int = 3
    candidates: list[Candidate] | None = None
    pins: Mapping[str, Blend] = field(default_factory=dict)
    quantiles: Sequence[float] = DEFAULT_QUANTILES
    chunk_size: int = 5000
    prophet_max_series: int = 3
    arima_max_series: int = 10
    combine_top: int = 3
    keep_all_backtest_fits: bool = False
    max_history: int | None = None
    seasonal_window: bool = True
    correct_level: bool = True

    def chosen_candidates(self) -> list[Candidate]:
        if self.candidates is not None:
            return self.candidates
        return default_candidates(
            prophet_max_series=self.prophet_max_series, arima_max_series=self.arima_max_series
        )


def _best_benchmark(leaderboard: pd.DataFrame, ids: np.ndarray) -> pd.Series:
    bench = leaderboard[leaderboard["model"].isin(BENCHMARKS)]
    best = bench.sort_values(["series_id", "rmsse"]).groupby("series_id")["model"].first()
    return pd.Series(ids, index=ids).map(best).fillna("seasonal_naive")


def _encode_ids(
    history: pd.DataFrame,
    future_exog: pd.DataFrame | None,
    pins: Mapping[str, Blend],
) -> tuple[pd.Index, pd.DataFrame, pd.DataFrame | None, dict[int, Blend]]:
    """Replace series ids by integer codes in sorted-id order.

    Every groupby, merge, isin and np.unique of the engine keys on ``series_id``; on string
    ids they spend most of their time hashing and sorting strings (measured: over a quarter of
    a 5,000-series run).  Codes keep the sort order of the ids, so results are unchanged.
    """
    codes, labels = pd.factorize(history["series_id"], sort=True)
    history = history.assign(series_id=codes.astype(np.int64))
    if future_exog is not None:
        fx_codes = labels.get_indexer(future_exog["series_id"])
        future_exog = future_exog[fx_codes >= 0].assign(series_id=fx_codes[fx_codes >= 0])
    coded_pins = {int(labels.get_loc(sid)): b for sid, b in pins.items() if sid in labels}
    return labels, history, future_exog, coded_pins


def _decode_ids(frame: pd.DataFrame, labels: pd.Index) -> pd.DataFrame:
    """Put the original series ids back in place of the codes of :func:`_encode_ids`."""
    return frame.assign(series_id=labels.take(frame["series_id"].to_numpy(np.int64)).to_numpy())


def _add_timings(total: dict[str, float], part: dict[str, float]) -> None:
    for key, seconds in part.items():
        total[key] = total.get(key, 0.0) + seconds


def _run_chunk(
    history: pd.DataFrame,
    future_exog: pd.DataFrame | None,
    config: PipelineConfig,
    candidates: list[Candidate],
    pins: Mapping[int, Blend],
) -> ForecastResults:
    """Backtest, select, refit and forecast one chunk of series (ids already encoded).

    Series too short to backtest get their best benchmark; a selected model that cannot
    forecast a series at refit is replaced by the best benchmark, with the reason kept.
    """
    horizon = config.horizon
    ids = np.sort(history["series_id"].unique())
    timings: dict[str, float] = {}
    demand = classify_demand(history)
    backtested = backtest(
        history,
        horizon,
        config.windows,
        config.granularity,
        candidates,
        future_exog,
        seasonal_window=config.seasonal_window,
    )
    _add_timings(timings, backtested.timings)
    selection = select_models(
        backtested.leaderboard,
        demand,
        dict(pins),
        backtest=backtested,
        combine_top=config.combine_top,
    )
    too_short = np.setdiff1d(ids, selection["series_id"].to_numpy())
    best_benchmark = _best_benchmark(backtested.leaderboard, ids)
    if len(too_short):
        benchmark_names = best_benchmark.loc[too_short]
        unscored = pd.DataFrame(
            {
                "series_id": too_short,
                "model": benchmark_names.to_numpy(),
                "blend": [Blend.single(name) for name in benchmark_names],
                "strategy": "too short to backtest",
                "pinned": False,
                "pin_cost": 0.0,
            }
        )
        selection = pd.concat([selection, unscored], ignore_index=True)
        selection["demand_class"] = selection["series_id"].map(
            demand.set_index("series_id")["demand_class"]
        )
    needed = set(BENCHMARKS).union(*(blend.models for blend in selection["blend"]))
    task = make_task(history, horizon, config.granularity, future_exog)
    benchmarks = [c for c in candidates if c.name in BENCHMARKS]
    others = [c for c in candidates if c.name not in BENCHMARKS and c.name in needed]
    benchmark_run = run_candidates(task, benchmarks)
    best_benchmark_forecasts = benchmark_run.forecasts.merge(
        best_benchmark.rename("model").rename_axis("series_id").reset_index(),
        on=["series_id", "model"],
    )
    other_run = run_candidates(task, others, fallback=best_benchmark_forecasts)
    for run in (benchmark_run, other_run):
        _add_timings(timings, run.timings)
    final = pd.concat([benchmark_run.forecasts, other_run.forecasts], ignore_index=True)
    final = final.merge(task.future[["series_id", "ds", "step"]], on=["series_id", "ds"])
    reasons = pd.concat([benchmark_run.fallbacks, other_run.fallbacks], ignore_index=True)
    selected_models = (
        selection[["series_id"]]
        .assign(model=[list(blend.models) for blend in selection["blend"]])
        .explode("model")
    )
    rows = final.groupby(["series_id", "model"]).size().rename("rows").reset_index()
    selected_models = selected_models.merge(rows, on=["series_id", "model"], how="left")
    incomplete = selected_models.loc[
        selected_models["rows"].fillna(0) < horizon, "series_id"
    ].unique()
    replaced = selected_models.merge(reasons, on=["series_id", "model"])
    reason = replaced.groupby("series_id")["fallback_reason"].agg(
        lambda r: "; ".join(sorted(set(r)))
    )
    if len(incomplete):
        fell_back = selection["series_id"].isin(incomplete)
        names = best_benchmark.loc[selection.loc[fell_back, "series_id"]].to_numpy()
        selection.loc[fell_back, "model"] = names
        selection.loc[fell_back, "blend"] = pd.Series(
            [Blend.single(name) for name in names], index=selection.index[fell_back]
        )
        reason = pd.concat(
            [
                reason.drop(incomplete, errors="ignore"),
                pd.Series("selected model not available at refit", index=incomplete),
            ]
        )
    selection["fallback_reason"] = selection["series_id"].map(reason).astype(object).fillna("")
    chosen = selected_forecasts(final, selection)
    backtest_chosen = selected_forecasts(backtested.forecasts, selection)
    if config.correct_level:
        factor = level_factor(backtest_chosen)
        chosen["forecast"] *= factor
        backtest_chosen["forecast"] *= factor
    chosen = add_intervals(chosen, backtest_chosen, history, config.quantiles)
    if config.keep_all_backtest_fits:
        fits = pd.concat([backtested.forecasts, backtest_chosen], ignore_index=True)
    else:
        snaive = backtested.forecasts[backtested.forecasts["model"] == "seasonal_naive"]
        fits = pd.concat([backtest_chosen, snaive], ignore_index=True)
    fits = fits[list(BACKTEST_FIT_COLUMNS)]
    return ForecastResults(chosen, backtested.leaderboard, selection, fits, timings)


def _run_implausible(
    history: pd.DataFrame,
    future_exog: pd.DataFrame | None,
    config: PipelineConfig,
    reasons: pd.Series,
) -> ForecastResults:
    """Forecast flagged series apart, from benchmarks on their repaired history."""
    result = _run_chunk(
        with_absurd_values_replaced(history),
        future_exog,
        config,
        benchmark_candidates(),
        {},
    )
    selection = result.selection
    own = selection["fallback_reason"]
    own = own.where(own == "", "; " + own)
    selection["fallback_reason"] = selection["series_id"].map(reasons) + own
    return result


def history_periods(horizon: int, granularity: Granularity, windows: int) -> int | None:
    """Periods of history per series the pipeline reads by default (None: all of it).

    Daily: what the global model reads, at least two years, plus the backtest span (which
    reaches back a year for the seasonal window); no candidate looks further back. Weekly and
    coarser histories are short enough to keep.
    """
    if granularity.is_weekly:
        return None
    span = max(window_cuts(horizon, windows, horizon, granularity))
    return max(730, periods_needed(horizon, granularity.season)) + span


def run_forecast_pipeline(
    history: pd.DataFrame,
    config: PipelineConfig,
    future_exog: pd.DataFrame | None = None,
    progress: Progress | None = None,
) -> ForecastResults:
    """Forecast every series of ``history`` as ``config`` says.

    ``history``: series_id, ds, y plus optional numeric exogenous columns (price,
    on_promotion, event, indicators); ``future_exog`` gives their values over the horizon
    (otherwise price is carried forward and the rest set to 0).  The history cut to
    ``max_history`` happens before sorting, so large inputs are sorted only once cut.
    Series with absurd values (see :mod:`.plausibility`) are forecast apart, so they cannot
    move any other series' forecast.  ``progress(fraction, message)`` is called as chunks
    complete.
    """
    start = time.perf_counter()
    max_history = config.max_history
    if max_history is None:
        max_history = history_periods(config.horizon, config.granularity, config.windows)
    history = history[["series_id", "ds", "y", *exog_columns(history)]]
    labels, history, future_exog, pins = _encode_ids(history, future_exog, config.pins)
    if max_history:
        last = history.groupby("series_id", sort=False)["ds"].transform("max")
        offset = pd.tseries.frequencies.to_offset(config.granularity.freq)
        keep = history["ds"].to_numpy() > (last - max_history * offset).to_numpy()
        if not keep.all():  # a history read to the pipeline's reach is shared, not copied
            history = history[keep]
    history = sort_history(history)
    # Missing periods (y NaN): imputed for the models, flagged for scoring (see .missing).
    history = fill_missing(history, config.granularity)
    candidates = config.chosen_candidates()
    implausible = implausible_series(history)
    ids = np.setdiff1d(np.sort(history["series_id"].unique()), implausible.index)
    size = config.chunk_size
    chunks = [ids[i : i + size] for i in range(0, len(ids), size)]
    if len(implausible):
        chunks.append(implausible.index.to_numpy())
    chunks = chunks or [ids]
    results = []
    for i, chunk in enumerate(chunks):
        if progress:
            progress(i / len(chunks), f"forecasting chunk {i + 1}/{len(chunks)}")
        if len(chunks) == 1:
            chunk_history, chunk_exog = history, future_exog
        else:
            chunk_history = history[history["series_id"].isin(chunk)]
            chunk_exog = (
                future_exog[future_exog["series_id"].isin(chunk)]
                if future_exog is not None
                else None
            )
        if len(implausible) and i == len(chunks) - 1:
            part = _run_implausible(chunk_history, chunk_exog, config, implausible)
        else:
            part = _run_chunk(chunk_history, chunk_exog, config, candidates, pins)
        results.append(part)
    combined = ForecastResults.concat(results)
    combined.timings["total"] = time.perf_counter() - start
    if progress:
        progress(1.0, "done")
    return replace(
        combined,
        **{name: _decode_ids(getattr(combined, name), labels) for name in FRAMES},
    )
