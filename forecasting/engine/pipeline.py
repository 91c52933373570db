"""End-to-end forecast run for a set of series: the single entry point of the service layer.

classify → backtest every candidate → select per series → refit on full history → forecast
→ guard-rails → prediction intervals.  Series are processed in chunks of ``chunk_size`` (the
global model is trained per chunk), so calling the pipeline on disjoint subsets of series — as
the service does when it fans chunks out to workers — gives the same kind of result.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .backtest import backtest, default_candidates, make_task
from .classify import classify_demand
from .frames import exog_columns, season_length, sort_history
from .global_model import periods_needed
from .guardrails import run_candidates
from .intervals import DEFAULT_QUANTILES, add_intervals
from .models import BENCHMARKS, Candidate
from .selection import select_models, selected_forecasts

Progress = Callable[[float, str], None]


@dataclass
class PipelineResult:
    """What a forecast run produces.

    ``forecasts``: series_id, ds, step, model, forecast, p10, p50, p90 (+ other quantiles).
    ``leaderboard``: series × model backtest errors (rmsse, mase, wape, bias, n, n_windows).
    ``selection``: series_id, model, components, weights, demand_class, fallback_reason,
    fva_vs_seasonal_naive, pinned, pin_cost, strategy, score.
    ``backtest_fits``: series_id, window, ds, model, forecast, actual of the selected model and
    seasonal naive (all candidates with ``keep_all_backtest_fits``).
    ``timings``: seconds per candidate (backtest + refit) and per stage.
    """

    forecasts: pd.DataFrame
    leaderboard: pd.DataFrame
    selection: pd.DataFrame
    backtest_fits: pd.DataFrame
    timings: dict[str, float] = field(default_factory=dict)


def _best_benchmark(leaderboard: pd.DataFrame, ids: np.ndarray) -> pd.Series:
    bench = leaderboard[leaderboard["model"].isin(BENCHMARKS)]
    best = bench.sort_values(["series_id", "rmsse"]).groupby("series_id")["model"].first()
    return pd.Series(ids, index=ids).map(best).fillna("seasonal_naive")


def _encode_ids(
    history: pd.DataFrame,
    future_exog: pd.DataFrame | None,
    pins: dict[str, str] | None,
    pin_weights: dict[str, str] | None = None,
) -> tuple[pd.Index, pd.DataFrame, pd.DataFrame | None, dict | None, dict | None]:
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
    if pins:
        pins = {int(labels.get_loc(sid)): m for sid, m in pins.items() if sid in labels}
    if pin_weights:
        pin_weights = {
            int(labels.get_loc(sid)): w for sid, w in pin_weights.items() if sid in labels
        }
    return labels, history, future_exog, pins, pin_weights


def _decode_ids(frame: pd.DataFrame, labels: pd.Index) -> pd.DataFrame:
    """Put the original series ids back in place of the codes of :func:`_encode_ids`."""
    return frame.assign(series_id=labels.take(frame["series_id"].to_numpy(np.int64)).to_numpy())


def _run_chunk(
    history: pd.DataFrame,
    horizon: int,
    freq: str,
    windows: int,
    candidates: list[Candidate],
    future_exog: pd.DataFrame | None,
    pins: dict[str, str] | None,
    quantiles: Sequence[float],
    keep_all_backtest_fits: bool,
    combine_top: int,
    pin_weights: dict[str, str] | None = None,
) -> PipelineResult:
    ids = np.sort(history["series_id"].unique())
    timings: dict[str, float] = {}
    demand = classify_demand(history)
    bt = backtest(history, horizon, windows, freq, candidates, future_exog)
    for k, v in bt.timings.items():
        timings[k] = timings.get(k, 0.0) + v
    selection = select_models(
        bt.leaderboard,
        demand,
        pins,
        backtest=bt,
        combine_top=combine_top,
        pin_weights=pin_weights,
    )
    missing = np.setdiff1d(ids, selection["series_id"].to_numpy())
    fallback_model = _best_benchmark(bt.leaderboard, ids)
    if len(missing):
        extra = pd.DataFrame(
            {
                "series_id": missing,
                "model": fallback_model.loc[missing],
                "components": fallback_model.loc[missing].to_numpy(),
                "weights": "1",
                "strategy": "too short to backtest",
                "pinned": False,
                "pin_cost": 0.0,
            }
        )
        selection = pd.concat([selection, extra], ignore_index=True)
        selection["demand_class"] = selection["series_id"].map(
            demand.set_index("series_id")["demand_class"]
        )
    needed = set(BENCHMARKS) | set(
        selection["components"].str.split("+", regex=False).explode().unique()
    )
    task = make_task(history, horizon, freq, future_exog)
    bench = [c for c in candidates if c.name in BENCHMARKS]
    others = [c for c in candidates if c.name not in BENCHMARKS and c.name in needed]
    bench_run = run_candidates(task, bench)
    bf = bench_run.forecasts.merge(
        fallback_model.rename("model").rename_axis("series_id").reset_index(),
        on=["series_id", "model"],
    )
    other_run = run_candidates(task, others, fallback=bf)
    for run in (bench_run, other_run):
        for k, v in run.timings.items():
            timings[k] = timings.get(k, 0.0) + v
    final = pd.concat([bench_run.forecasts, other_run.forecasts], ignore_index=True)
    final = final.merge(task.future[["series_id", "ds", "step"]], on=["series_id", "ds"])
    reasons = pd.concat([bench_run.fallbacks, other_run.fallbacks], ignore_index=True)
    comp = (
        selection[["series_id", "components"]]
        .assign(model=selection["components"].str.split("+", regex=False))
        .explode("model")
    )
    have = final.groupby(["series_id", "model"]).size().rename("rows").reset_index()
    comp = comp.merge(have, on=["series_id", "model"], how="left")
    incomplete = comp.loc[comp["rows"].fillna(0) < horizon, "series_id"].unique()
    hit = comp.merge(reasons, on=["series_id", "model"])
    reason = hit.groupby("series_id")["fallback_reason"].agg(lambda r: "; ".join(sorted(set(r))))
    if len(incomplete):
        sel_idx = selection["series_id"].isin(incomplete)
        fb = fallback_model.loc[selection.loc[sel_idx, "series_id"]].to_numpy()
        selection.loc[sel_idx, "components"] = fb
        selection.loc[sel_idx, "model"] = fb
        selection.loc[sel_idx, "weights"] = "1"
        reason = pd.concat(
            [
                reason.drop(incomplete, errors="ignore"),
                pd.Series("selected model not available at refit", index=incomplete),
            ]
        )
    selection["fallback_reason"] = selection["series_id"].map(reason).astype(object).fillna("")
    chosen = selected_forecasts(final, selection)
    bt_sel = selected_forecasts(bt.forecasts, selection)
    chosen = add_intervals(chosen, bt_sel, history, quantiles)
    if keep_all_backtest_fits:
        fits = pd.concat([bt.forecasts, bt_sel], ignore_index=True)
    else:
        snaive = bt.forecasts[bt.forecasts["model"] == "seasonal_naive"]
        fits = pd.concat([bt_sel, snaive], ignore_index=True)
    fits = fits[["series_id", "window", "ds", "model", "forecast", "actual"]]
    return PipelineResult(chosen, bt.leaderboard, selection, fits, timings)


def history_periods(horizon: int, freq: str, windows: int) -> int | None:
    """Periods of history per series the pipeline reads by default (None: all of it).

    Daily: what the global model reads, at least two years, plus the backtest span; no
    candidate looks further back. Weekly and coarser histories are short enough to keep.
    """
    if season_length(freq) > 24:
        return None
    return max(730, periods_needed(horizon, season_length(freq))) + windows * horizon


def run_forecast_pipeline(
    history: pd.DataFrame,
    horizon: int,
    freq: str,
    windows: int = 3,
    future_exog: pd.DataFrame | None = None,
    candidates: list[Candidate] | None = None,
    pins: dict[str, str] | None = None,
    pin_weights: dict[str, str] | None = None,
    quantiles: Sequence[float] = DEFAULT_QUANTILES,
    chunk_size: int = 5000,
    prophet_max_series: int = 3,
    arima_max_series: int = 10,
    combine_top: int = 3,
    keep_all_backtest_fits: bool = False,
    max_history: int | None = None,
    progress: Progress | None = None,
) -> PipelineResult:
    """Forecast every series of ``history`` ``horizon`` periods ahead at frequency ``freq``.

    ``history``: series_id, ds, y plus optional numeric exogenous columns (price,
    on_promotion, event, indicators); ``future_exog`` gives their values over the horizon
    (otherwise price is carried forward and the rest set to 0).  ``candidates`` defaults to
    :func:`default_candidates` with the Prophet/ARIMA caps given; Prophet and ARIMA caps and the
    global model apply per chunk of ``chunk_size`` series.  ``pins`` force a model (or a blend,
    weighted by ``pin_weights``) per series.
    ``max_history`` keeps only the most recent periods per series (default:
    :func:`history_periods`); the cut happens before sorting so large inputs are sorted only
    once cut.
    ``progress(fraction, message)`` is called as chunks complete.
    """
    start = time.perf_counter()
    if max_history is None:
        max_history = history_periods(horizon, freq, windows)
    history = history[["series_id", "ds", "y", *exog_columns(history)]]
    labels, history, future_exog, pins, pin_weights = _encode_ids(
        history, future_exog, pins, pin_weights
    )
    if max_history:
        last = history.groupby("series_id", sort=False)["ds"].transform("max")
        offset = pd.tseries.frequencies.to_offset(freq)
        keep = history["ds"].to_numpy() > (last - max_history * offset).to_numpy()
        if not keep.all():  # a history read to the pipeline's reach is shared, not copied
            history = history[keep]
    history = sort_history(history)
    candidates = (
        candidates
        if candidates is not None
        else default_candidates(
            prophet_max_series=prophet_max_series, arima_max_series=arima_max_series
        )
    )
    ids = np.sort(history["series_id"].unique())
    chunks = [ids[i : i + chunk_size] for i in range(0, len(ids), chunk_size)] or [ids]
    results, timings = [], {}
    for i, chunk in enumerate(chunks):
        if progress:
            progress(i / len(chunks), f"forecasting chunk {i + 1}/{len(chunks)}")
        if len(chunks) == 1:
            sub, fx = history, future_exog
        else:
            sub = history[history["series_id"].isin(chunk)]
            fx = (
                future_exog[future_exog["series_id"].isin(chunk)]
                if future_exog is not None
                else None
            )
        res = _run_chunk(
            sub,
            horizon,
            freq,
            windows,
            candidates,
            fx,
            pins,
            quantiles,
            keep_all_backtest_fits,
            combine_top,
            pin_weights,
        )
        for k, v in res.timings.items():
            timings[k] = timings.get(k, 0.0) + v
        results.append(res)
    timings["total"] = time.perf_counter() - start
    if progress:
        progress(1.0, "done")
    frames = {
        name: _decode_ids(pd.concat([getattr(r, name) for r in results], ignore_index=True), labels)
        for name in ("forecasts", "leaderboard", "selection", "backtest_fits")
    }
    return PipelineResult(**frames, timings=timings)
