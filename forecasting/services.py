"""Running forecasts: plan chunks of series, run the engine on each, write results in bulk.

A forecast job splits the stores into chunks of at most ``chunk_size`` series. Every chunk
is claimed by whoever is free — the job's own task and, with Celery, helper tasks on any
worker — so adding workers on more machines adds throughput. Each chunk's results are
written in one transaction at the end of the chunk. Re-running the same job, or a new job
for the same origin, overwrites the same rows: forecasts are stored once.
"""

from __future__ import annotations

import json
import logging
import time

import numpy as np
import pandas as pd
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.scoping import Scope
from forecasting import accuracy
from forecasting.engine.blend import Blend
from forecasting.engine.classify import classify_demand
from forecasting.engine.granularity import granularity_of
from forecasting.engine.pipeline import PipelineConfig, history_periods, run_forecast_pipeline
from forecasting.engine.results import FORECAST_COLUMNS, ForecastResults
from forecasting.history_frames import (
    SeriesFrames,
    last_actual_date,
    load_series_frames,
    origin_at,
    series_counts_by_store,
)
from forecasting.job_params import CHUNK_SERIES, ForecastParams
from forecasting.models import (
    BacktestPoint,
    ForecastChunk,
    ForecastRun,
    Granularity,
    LeaderboardEntry,
    ModelPin,
    SeriesModel,
)
from forecasting.models import Forecast as ForecastRow
from forecasting.signals import forecast_finished
from history.bulk import UpsertTarget, statistics_refresh, upsert_frame
from history.models import SalesFact
from jobs.heartbeat import claim_chunk, heartbeat
from jobs.limits import return_freed_memory
from jobs.models import JobRun
from jobs.services import Progress, job_helpers_start, job_start
from masterdata.models import SKU, Store

logger = logging.getLogger(__name__)

FORECAST_KIND = "forecast"


def forecast_scope_of(scope: Scope) -> dict:
    """The series a forecast run within ``scope`` covers, as ``ForecastParams`` fields.

    Admins and unscoped planners run for the whole company; a scoped planner's run covers
    only the series of their stores (regions) and SKUs (categories), so it can neither
    replace another region's selected models nor overwrite its forecasts.
    """
    if scope.is_nothing:
        raise PermissionDenied("A forecast run needs a role that may plan.")
    if scope.is_company_wide:
        return {"company_wide": True}
    fields: dict = {}
    store_ids = list(Store.objects.visible_to(scope).values_list("id", flat=True))
    if len(store_ids) < Store.objects.count():
        fields["store_ids"] = tuple(store_ids) or (0,)  # no store at all: an empty run
    sku_ids = list(SKU.objects.visible_to(scope).values_list("id", flat=True))
    if len(sku_ids) < SKU.objects.count():
        fields["sku_ids"] = tuple(sku_ids) or (0,)
    return fields or {"company_wide": True}


def forecast_job_start(
    *,
    actor,
    scope: Scope,
    granularity: str,
    horizon: int | None = None,
    windows: int | None = None,
    reselect: bool = True,
) -> JobRun:
    """Start a forecast run limited to ``scope``, the actor's (see ``forecast_scope_of``)."""
    params = ForecastParams(
        granularity=granularity,
        horizon=horizon,
        windows=windows,
        reselect=reselect,
        **forecast_scope_of(scope),
    )
    return job_start(kind=FORECAST_KIND, params=params, actor=actor)


def plan_chunks(store_counts: dict[int, int], chunk_series: int = CHUNK_SERIES) -> list[list[int]]:
    """Group stores into chunks of at most ``chunk_series`` series (a big store alone)."""
    chunks: list[list[int]] = []
    current: list[int] = []
    size = 0
    for store_id, count in sorted(store_counts.items()):
        if current and size + count > chunk_series:
            chunks.append(current)
            current, size = [], 0
        current.append(int(store_id))
        size += count
    if current:
        chunks.append(current)
    return chunks


def _series_counts_in_scope(params: ForecastParams) -> dict[int, int]:
    """Series (distinct SKUs with sales) per store, within the run's scope."""
    if params.company_wide:
        return series_counts_by_store()
    facts = SalesFact.objects.all()
    if params.store_ids:
        facts = facts.filter(store_id__in=params.store_ids)
    if params.sku_ids:
        facts = facts.filter(sku_id__in=params.sku_ids)
    counts = facts.values("store_id").annotate(series=Count("sku_id", distinct=True))
    return {row["store_id"]: row["series"] for row in counts}


def forecast_run_prepare(*, job: JobRun, params: ForecastParams) -> ForecastRun:
    """The run of a job with its chunks (only the series in the run's scope); a redelivered
    job finds the run it already made."""
    granularity = params.granularity
    if params.origin:
        origin = origin_at(granularity, pd.Timestamp(params.origin))
    else:
        origin = last_actual_date(granularity)
    if origin is None:
        raise ValueError("There is no sales history to forecast from. Import sales first.")
    with transaction.atomic():
        run, created = ForecastRun.objects.get_or_create(
            job=job,
            defaults={
                "granularity": granularity,
                "horizon": params.horizon,
                "windows": params.windows,
                "origin": origin.date(),
            },
        )
        if created:
            chunks = plan_chunks(_series_counts_in_scope(params), params.chunk_series)
            ForecastChunk.objects.bulk_create(
                ForecastChunk(run=run, index=i, store_ids=ids) for i, ids in enumerate(chunks)
            )
            run.chunks_total = len(chunks)
            run.save(update_fields=["chunks_total"])
    return run


def forecast_chunk_claim(*, run: ForecastRun) -> ForecastChunk | None:
    """Take the next pending chunk of ``run`` for this worker, or an abandoned one.

    A chunk is abandoned when its holder stopped heartbeating (``STALE_AFTER``), or at
    once when the holder was a process of this machine that has died (a killed pool
    process whose job was redelivered to a sibling).
    """
    return claim_chunk(
        ForecastChunk.objects.filter(run=run),
        pending=ForecastChunk.Status.PENDING,
        running=ForecastChunk.Status.RUNNING,
    )


def _chunk_process_alive(chunk: ForecastChunk) -> int:
    """Process a claimed chunk, heartbeating its claim meanwhile (on Celery workers)."""

    def beat() -> None:
        ForecastChunk.objects.filter(
            pk=chunk.pk, status=ForecastChunk.Status.RUNNING, worker=chunk.worker
        ).update(heartbeat_at=timezone.now())

    with heartbeat(beat):
        return forecast_chunk_process(chunk=chunk)


def forecast_chunk_process(*, chunk: ForecastChunk) -> int:
    """Forecast every series of one chunk and write the results; returns the series count."""
    started = time.perf_counter()
    try:
        count = _chunk_forecast_and_write(run=chunk.run, store_ids=chunk.store_ids)
    except Exception as exc:
        ForecastChunk.objects.filter(pk=chunk.pk).update(
            status=ForecastChunk.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    finally:
        return_freed_memory()  # the worker goes on with another chunk or job
    ForecastChunk.objects.filter(pk=chunk.pk).update(
        status=ForecastChunk.Status.DONE,
        series_count=count,
        seconds=round(time.perf_counter() - started, 2),
    )
    return count


def _chunk_forecast_and_write(*, run: ForecastRun, store_ids: list[int]) -> int:
    granularity = granularity_of(run.granularity)
    frames = load_series_frames(
        granularity=run.granularity,
        store_ids=store_ids,
        horizon=run.horizon,
        origin=pd.Timestamp(run.origin),
        max_periods=history_periods(run.horizon, granularity, run.windows),
        sku_ids=_run_sku_ids(run),
    )
    if frames.series.empty:
        return 0
    return_freed_memory()  # the read's transient copies, before the engine's peak
    config = PipelineConfig(
        granularity=frames.granularity,
        horizon=run.horizon,
        windows=run.windows,
        pins=_models_to_use(frames.series, run),
    )
    result = run_forecast_pipeline(frames.history, config, future_exog=frames.future_exog)
    pinned = set(model_pins_for(frames.series, run.granularity))
    result.selection["pinned"] = result.selection["series_id"].isin(pinned)
    result.selection = _with_demand_figures(result.selection, frames.history)
    with transaction.atomic():
        forecast_results_write(run=run, frames=frames, result=result)
    return len(frames.series)


def _with_demand_figures(selection: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """The selection with each series' ADI and CV², the figures behind its demand class.

    The engine's selection names the class but not the figures, so the explorer showed "—"
    beside every class; they come from the same classification of the same history (the
    engine's own figures win should its selection carry them).
    """
    if {"adi", "cv2"} <= set(selection.columns) or selection.empty:
        return selection
    figures = classify_demand(history).set_index("series_id")
    return selection.assign(
        adi=selection["series_id"].map(figures["adi"]),
        cv2=selection["series_id"].map(figures["cv2"]),
    )


def _run_sku_ids(run: ForecastRun) -> list[int] | None:
    """The SKUs a scoped run is limited to (None: every SKU of the chunk's stores)."""
    if run.job is None:
        return None
    return list(ForecastParams.from_json(run.job.params).sku_ids) or None


def _models_to_use(series: pd.DataFrame, run: ForecastRun) -> dict[str, Blend]:
    """Models the engine must use per series: planners' pins, and, when the run keeps the
    current selection (the daily refresh), each series' previously selected model or blend
    with its weights."""
    planned = model_pins_for(series, run.granularity)
    pins = {sid: Blend.from_name(model) for sid, model in planned.items()}
    if run.job is None or run.job.params.get("reselect", True):
        return pins
    kept = SeriesModel.objects.filter(
        granularity=run.granularity, store_id__in=series["store_id"].unique().tolist()
    ).values_list("store_id", "sku_id", "blend")
    known = set(series["series_id"])
    current = {}
    for store, sku, blend in kept:
        key = f"{store}:{sku}"
        if key in known:
            current[key] = Blend.from_json(blend)
    # A planner's pin wins over the kept choice.
    return {**current, **pins}


def model_pins_for(series: pd.DataFrame, granularity: str) -> dict[str, str]:
    """Pinned models by series id; a series pin wins over its category's pin."""
    pins = pd.DataFrame(
        ModelPin.objects.filter(granularity=granularity).values(
            "store_id", "sku_id", "category_id", "model"
        )
    )
    if pins.empty:
        return {}
    chosen: dict[str, str] = {}
    category_pins = pins.dropna(subset=["category_id"])
    if not category_pins.empty:
        categories = dict(
            SKU.objects.filter(id__in=series["sku_id"].unique()).values_list("id", "category_id")
        )
        by_category = dict(
            zip(category_pins["category_id"].astype(int), category_pins["model"], strict=True)
        )
        for row in series.itertuples(index=False):
            model = by_category.get(categories.get(row.sku_id))
            if model:
                chosen[row.series_id] = model
    series_pins = pins.dropna(subset=["store_id", "sku_id"])
    for row in series_pins.itertuples(index=False):
        chosen[f"{int(row.store_id)}:{int(row.sku_id)}"] = row.model
    known = set(series["series_id"])
    return {k: v for k, v in chosen.items() if k in known}


def _with_keys(frame: pd.DataFrame, series: pd.DataFrame) -> pd.DataFrame:
    keyed = frame.merge(series[["series_id", "store_id", "sku_id"]], on="series_id", how="inner")
    return keyed.drop(columns="series_id")


def _forecasts_beyond_horizon_delete(*, run: ForecastRun, forecasts: pd.DataFrame) -> int:
    """Remove the written series' forecasts for this origin beyond this run's last date.

    A shorter run over the same origin would otherwise leave the tail of an earlier, longer
    run in place, and the series would show two runs' models side by side.
    """
    if forecasts.empty:
        return 0
    series = Q(pk__in=[])
    for store_id, skus in forecasts.groupby("store_id")["sku_id"].unique().items():
        series |= Q(store_id=int(store_id), sku_id__in=[int(s) for s in skus])
    deleted, _ = ForecastRow.objects.filter(
        series,
        granularity=run.granularity,
        origin=run.origin,
        date__gt=pd.Timestamp(forecasts["date"].max()).date(),
    ).delete()
    return deleted


def forecast_results_write(
    *, run: ForecastRun, frames: SeriesFrames, result: ForecastResults
) -> None:
    """Write one chunk's forecasts, selection, leaderboard and backtest fits in bulk."""
    granularity = run.granularity
    series = frames.series
    store_ids = [int(s) for s in series["store_id"].unique()]

    forecasts = _with_keys(result.forecasts[list(FORECAST_COLUMNS)], series)
    forecasts = forecasts.rename(columns={"ds": "date"})
    forecasts["granularity"] = granularity
    forecasts["origin"] = pd.Timestamp(run.origin)
    forecasts["run_id"] = run.pk
    forecasts = forecasts[
        [
            "store_id",
            "sku_id",
            "granularity",
            "origin",
            "date",
            "forecast",
            "p10",
            "p50",
            "p90",
            "model",
            "run_id",
        ]
    ]
    _forecasts_beyond_horizon_delete(run=run, forecasts=forecasts)
    upsert_frame(
        UpsertTarget(ForecastRow, ["store_id", "sku_id", "granularity", "origin", "date"]),
        forecasts,
    )

    selection = _with_keys(result.selection, series)
    selection["granularity"] = granularity
    selection["run_id"] = run.pk
    # JSON text with sorted keys: an unchanged choice compares equal and is not rewritten.
    selection["blend"] = [json.dumps(b.to_json(), sort_keys=True) for b in selection["blend"]]
    columns = [
        "store_id",
        "sku_id",
        "granularity",
        "model",
        "blend",
        "demand_class",
        "adi",
        "cv2",
        "strategy",
        "fallback_reason",
        "pinned",
        "pin_cost",
        "fva_vs_seasonal_naive",
        "run_id",
    ]
    for column in columns:
        if column not in selection:
            selection[column] = None
    selection["fallback_reason"] = selection["fallback_reason"].fillna("").astype(str).str[:300]
    selection["demand_class"] = selection["demand_class"].fillna("").astype(str)
    selection["strategy"] = selection["strategy"].fillna("").astype(str).str[:40]
    selection["pinned"] = selection["pinned"].fillna(False).astype(bool)
    upsert_frame(
        UpsertTarget(SeriesModel, ["store_id", "sku_id", "granularity"]), selection[columns]
    )

    sku_ids = [int(s) for s in series["sku_id"].unique()]  # a scoped run keeps other SKUs'
    LeaderboardEntry.objects.filter(
        store_id__in=store_ids, sku_id__in=sku_ids, granularity=granularity
    ).delete()
    board = _with_keys(result.leaderboard.rename(columns={"n_windows": "windows"}), series)
    board["granularity"] = granularity
    board["run_id"] = run.pk
    board_columns = [
        "store_id",
        "sku_id",
        "granularity",
        "model",
        "rmsse",
        "mase",
        "wape",
        "bias",
        "windows",
        "run_id",
    ]
    for column in board_columns:
        if column not in board:
            board[column] = None
    board = board[board_columns].replace([np.inf, -np.inf], np.nan)
    upsert_frame(
        UpsertTarget(LeaderboardEntry, ["store_id", "sku_id", "granularity", "model"]), board
    )

    BacktestPoint.objects.filter(
        store_id__in=store_ids, sku_id__in=sku_ids, granularity=granularity
    ).delete()
    fits = result.backtest_fits.merge(
        result.selection[["series_id", "model"]], on=["series_id", "model"]
    ).sort_values(["series_id", "window", "ds"])
    fits["lead"] = fits.groupby(["series_id", "window"]).cumcount() + 1
    fits = _with_keys(fits, series).rename(columns={"ds": "date"})
    fits = fits.sort_values("date").drop_duplicates(["store_id", "sku_id", "date"], keep="last")
    fits["granularity"] = granularity
    upsert_frame(
        UpsertTarget(BacktestPoint, ["store_id", "sku_id", "granularity", "date"]),
        fits[["store_id", "sku_id", "granularity", "date", "forecast", "actual", "lead", "model"]],
    )


def forecast_job_work(job: JobRun, params: ForecastParams, progress: Progress) -> dict:
    """The forecast job: prepare chunks, process them (helped by other workers), finish."""
    if params.score_live_accuracy:
        progress(0, "Scoring earlier forecasts against the new actuals")
        for grain in Granularity.values:
            accuracy.live_accuracy_refresh(granularity=grain)
    progress(1, "Planning chunks of series")
    run = forecast_run_prepare(job=job, params=params)
    job_helpers_start(job=job, count=min(run.chunks_total - 1, settings.FORECAST_FANOUT))
    while (chunk := forecast_chunk_claim(run=run)) is not None:
        progress(_chunk_percent(run), f"Forecasting chunk {chunk.index + 1} of {run.chunks_total}")
        _chunk_process_alive(chunk)
    while True:
        statuses = list(ForecastChunk.objects.filter(run=run).values_list("status", flat=True))
        done = statuses.count(ForecastChunk.Status.DONE)
        if ForecastChunk.Status.FAILED in statuses:
            failed = ForecastChunk.objects.filter(
                run=run, status=ForecastChunk.Status.FAILED
            ).first()
            raise RuntimeError(f"Chunk {failed.index + 1} failed: {failed.error}")
        progress(
            5 + 85 * done / max(run.chunks_total, 1), f"{done} of {run.chunks_total} chunks done"
        )
        if done == len(statuses):
            break
        if (chunk := forecast_chunk_claim(run=run)) is not None:
            _chunk_process_alive(chunk)
            continue
        time.sleep(1)
    progress(92, "Scoring backtest accuracy by region and category")
    summary = forecast_run_finish(run=run)
    progress(100, "Forecast ready")
    return summary


def _chunk_percent(run: ForecastRun) -> float:
    done = ForecastChunk.objects.filter(run=run, status=ForecastChunk.Status.DONE).count()
    return 5 + 85 * done / max(run.chunks_total, 1)


def forecast_chunks_help(job: JobRun, params: ForecastParams) -> int:
    """A helper worker's share of a forecast job: process chunks until none is left."""
    run = ForecastRun.objects.filter(job=job).first()
    processed = 0
    while run is not None and (chunk := forecast_chunk_claim(run=run)) is not None:
        processed += _chunk_process_alive(chunk)
    return processed


def forecast_run_finish(*, run: ForecastRun) -> dict:
    """Summarise the run and keep its backtest accuracy by level for the accuracy page."""
    chunks = ForecastChunk.objects.filter(run=run)
    run.series_count = sum(c.series_count for c in chunks)
    run.chunks_done = chunks.filter(status=ForecastChunk.Status.DONE).count()
    selection = SeriesModel.objects.filter(run=run)
    models = {}
    for name in selection.values_list("model", flat=True):
        models[name] = models.get(name, 0) + 1
    backtest = accuracy.backtest_accuracy_record(granularity=run.granularity)
    run.summary = {
        "series": run.series_count,
        "origin": run.origin.isoformat(),
        "models": dict(sorted(models.items(), key=lambda kv: -kv[1])),
        "fallbacks": selection.exclude(fallback_reason="").count(),
        "backtest": backtest,
        "chunk_seconds": [c.seconds for c in chunks.order_by("index")],
    }
    run.save(update_fields=["series_count", "chunks_done", "summary"])
    statistics_refresh(ForecastRow, SeriesModel, LeaderboardEntry, BacktestPoint)
    forecast_finished.send(sender=ForecastRun, run=run)
    return run.summary
