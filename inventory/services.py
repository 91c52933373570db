"""Writes of the inventory app: a planning run's policies and recommendations, and the
planner's decisions on recommendations (accept, edit, reject, one or many at a time).

Decisions are keyword-only, atomic, and act only on rows inside the actor's scope: each locks
its rows through ``visible_to(scope)`` (a row outside answers as missing) and compares the
version the planner saw (``Recommendation.version``) with the row's, so a decision taken on
a stale screen is refused instead of silently overwriting another planner's. Each decided row
is saved on its own, so the audit log (``inventory.Recommendation`` is in
``AUDITED_MODELS``) records who changed what, row by row.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.scoping import Scope
from forecasting.models import Forecast, Granularity
from forecasting.selectors import latest_origin, scope_q
from inventory.engine.order_plan import order_plan_solve
from inventory.engine.policies import policies_compute
from inventory.inputs import PolicyInputs, PolicyInputsError, policy_inputs_load
from inventory.job_params import InventoryPlanParams
from inventory.models import (
    CategoryServiceTarget,
    InventoryPlanChunk,
    InventoryPlanRun,
    InventoryPolicy,
    InventorySettings,
    PlanStatus,
    Recommendation,
    RecommendationStatus,
)
from inventory.order_plan_inputs import order_plan_inputs_load
from jobs.heartbeat import claim_chunk, heartbeat
from jobs.limits import return_freed_memory
from jobs.models import JobRun
from jobs.services import job_helpers_start, job_start
from masterdata.models import Category

PLAN_KIND = "inventory_plan"
MAX_BULK = 1000
MAX_ORDER_UNITS = 10_000_000
DECIDED = (RecommendationStatus.ACCEPTED, RecommendationStatus.EDITED)

POLICY_FIELDS = tuple(
    field.attname
    for field in InventoryPolicy._meta.concrete_fields
    if field.attname not in {"id", "run_id"}
)


class DecisionRefused(ValueError):
    """A decision that cannot be taken as asked; the message says why and what to do."""


class StaleDecision(DecisionRefused):
    """The recommendation changed since the planner saw it."""


@dataclass(frozen=True)
class RoundedQuantity:
    units: float
    cases: float
    note: str


def order_quantity_rounded(
    *, quantity: float, case_pack: int, min_order_qty: int
) -> RoundedQuantity:
    """``quantity`` up to whole cases; refused (``DecisionRefused``) when it is not a
    positive number of units or stays below the minimum order quantity.

    Rounding is up, never down: a planner who asks for 100 units of a 24-unit case expects
    at least 100 on the shelf. Below the MOQ the supplier would refuse the line, so the
    planner is asked for a valid number rather than having it raised silently.
    """
    if quantity is None or not math.isfinite(quantity):
        raise DecisionRefused("Enter a quantity in units, e.g. 48.")
    if quantity <= 0:
        raise DecisionRefused("A quantity must be above zero: to order nothing, reject it.")
    if quantity > MAX_ORDER_UNITS:
        raise DecisionRefused(f"{quantity:,.0f} units is beyond any order line; check the number.")
    pack = max(int(case_pack or 1), 1)
    cases = math.ceil(quantity / pack - 1e-9)
    units = float(cases * pack)
    minimum = max(int(min_order_qty or 1), 1)
    if units < minimum:
        least = math.ceil(minimum / pack) * pack
        raise DecisionRefused(
            f"{units:,.0f} units is below the minimum order of {minimum:,} units: "
            f"enter at least {least:,} units ({least // pack:,} cases of {pack}) or reject it."
        )
    note = "" if units == quantity else f"rounded up to {cases:,} whole cases of {pack}"
    return RoundedQuantity(units=units, cases=float(cases), note=note)


# --- Planning runs ----------------------------------------------------------------------


def inventory_plan_job_start(*, actor, scope: Scope, **fields) -> JobRun:
    """Start an inventory plan for ``scope`` (the actor's): the one way pages start one."""
    params = InventoryPlanParams.for_scope(scope, **fields)
    return job_start(kind=PLAN_KIND, params=params, actor=actor)


def category_targets(
    category_ids: Iterable[int], default: tuple[str, float]
) -> dict[int, tuple[str, float]]:
    """Each category's service target: its own ``CategoryServiceTarget``, else its parent's,
    else the company's ``default`` (kind, target)."""
    ids = {int(pk) for pk in category_ids}
    parents = dict(Category.objects.filter(pk__in=ids).values_list("pk", "parent_id"))
    own = {
        row.category_id: (row.target_kind, row.target)
        for row in CategoryServiceTarget.objects.filter(
            category_id__in=ids | {p for p in parents.values() if p}
        )
    }
    return {pk: own.get(pk) or own.get(parents.get(pk)) or default for pk in ids}


def policies_for_series(inputs: PolicyInputs, settings: InventorySettings) -> pd.DataFrame:
    """Policies of every series of ``inputs``, each at its category's target; keyed by
    location and SKU, with the stock they start from (ready for ``policies_store``)."""
    series = inputs.series
    targets = category_targets(
        series["category_id"].dropna().astype(int).unique(),
        (settings.target_kind, settings.target),
    )
    default = (settings.target_kind, settings.target)
    chosen = [
        targets.get(int(pk), default) if pk == pk and pk is not None else default
        for pk in series["category_id"]
    ]
    kinds = pd.Series([kind for kind, _ in chosen], index=series.index)
    levels = pd.Series([float(target) for _, target in chosen], index=series.index)
    parts = []
    for (kind, target), index in series.groupby([kinds, levels]).groups.items():
        part = series.loc[index]
        parts.append(
            policies_compute(
                part,
                target_kind=kind,
                target=min(float(target), 0.999),
                review_days=settings.review_days,
                holding_rate_per_year=settings.holding_rate_per_year,
                order_cost=settings.order_cost,
                shortage_cost_share=settings.shortage_cost_share,
                daily_mean=inputs.forecast_mean.loc[index],
                daily_sd=inputs.forecast_sd.loc[index],
                max_cover_days=settings.excess_cover_days,
            )
        )
    policies = pd.concat(parts).loc[series.index]
    keys = series[["store_id", "warehouse_id", "sku_id", "on_hand", "on_order"]]
    return pd.concat([keys, policies], axis=1)


def _location_keys(frame: pd.DataFrame) -> tuple[Q, Q]:
    stores = frame[frame["store_id"].notna()] if "store_id" in frame else frame.iloc[0:0]
    warehouses = (
        frame[frame["warehouse_id"].notna()] if "warehouse_id" in frame else frame.iloc[0:0]
    )
    return (
        Q(store_id__in=stores["store_id"].astype(int).unique().tolist(), store__isnull=False)
        & Q(sku_id__in=stores["sku_id"].astype(int).unique().tolist()),
        Q(
            warehouse_id__in=warehouses["warehouse_id"].astype(int).unique().tolist(),
            store__isnull=True,
        )
        & Q(sku_id__in=warehouses["sku_id"].astype(int).unique().tolist()),
    )


def _plain(value):
    """A frame cell as the model field wants it: NA/NaN/NaT as None, numpy scalars as
    Python ones; dicts and lists (the working) as they are."""
    if isinstance(value, dict | list | str):
        return value
    if value is None or pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


@transaction.atomic
def policies_store(*, run: InventoryPlanRun, policies: pd.DataFrame) -> int:
    """Store ``policies`` (one row per location × SKU, columns named like
    ``InventoryPolicy`` fields, ``store_id`` or ``warehouse_id`` set) as the current policies,
    replacing each location × SKU's previous one; in bulk."""
    if policies.empty:
        return 0
    frame = policies.copy()
    for key in ("store_id", "warehouse_id"):
        if key not in frame:
            frame[key] = None
    missing = {"sku_id", "policy_type", "safety_stock", "reorder_point"} - set(frame.columns)
    if missing:
        raise ValueError(f"policies lack the columns {', '.join(sorted(missing))}")
    # Replace exactly the pairs computed: one delete per location kind, keyed by pairs.
    pairs_store = set(
        zip(
            frame.loc[frame["store_id"].notna(), "store_id"].astype(int),
            frame.loc[frame["store_id"].notna(), "sku_id"].astype(int),
            strict=True,
        )
    )
    pairs_warehouse = set(
        zip(
            frame.loc[frame["warehouse_id"].notna(), "warehouse_id"].astype(int),
            frame.loc[frame["warehouse_id"].notna(), "sku_id"].astype(int),
            strict=True,
        )
    )
    at_store, at_warehouse = _location_keys(frame)
    stale = [
        pk
        for pk, store_id, warehouse_id, sku_id in InventoryPolicy.objects.filter(
            at_store | at_warehouse
        ).values_list("pk", "store_id", "warehouse_id", "sku_id")
        if (store_id, sku_id) in pairs_store or (warehouse_id, sku_id) in pairs_warehouse
    ]
    InventoryPolicy.objects.filter(pk__in=stale).delete()
    columns = [name for name in POLICY_FIELDS if name in frame.columns]
    rows = [
        InventoryPolicy(
            run=run, **{name: _plain(value) for name, value in zip(columns, values, strict=True)}
        )
        for values in frame[columns].itertuples(index=False, name=None)
    ]
    InventoryPolicy.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def period_dates(periods: pd.Series, starts: Sequence[date]) -> list[date]:
    """Plan periods (0-based positions in ``starts``, the first day of each period) as dates;
    a period past the horizon (an arrival after it) continues at the last period's length."""
    step = (starts[-1] - starts[-2]) if len(starts) > 1 else timedelta(days=1)
    last = len(starts) - 1
    return [
        starts[int(p)] if int(p) <= last else starts[last] + step * (int(p) - last) for p in periods
    ]


@transaction.atomic
def recommendations_store(
    *, run: InventoryPlanRun, lines: pd.DataFrame, period_starts: Sequence[date], scope: Scope
) -> int:
    """Store an order plan's ``lines`` as proposed recommendations of ``run`` (their periods
    dated by ``period_starts``, the first day of each plan period).

    The proposals of earlier runs in ``scope`` that nobody decided are withdrawn (deleted):
    they were computed from older stock and forecasts. Decided ones stay, as history.
    """
    Recommendation.objects.visible_to(scope).filter(status=RecommendationStatus.PROPOSED).exclude(
        run=run
    ).delete()
    if lines.empty:
        return 0
    frame = lines.reset_index(drop=True)
    for key in ("store_id", "warehouse_id", "source_warehouse_id"):
        if key not in frame:
            frame[key] = None
    order_dates = period_dates(frame["order_period"], period_starts)
    arrival_dates = period_dates(frame["arrival_period"], period_starts)
    rows = [
        Recommendation(
            run=run,
            store_id=_plain(line.store_id),
            warehouse_id=_plain(line.warehouse_id) if _plain(line.store_id) is None else None,
            source_warehouse_id=_plain(line.source_warehouse_id),
            sku_id=int(line.sku_id),
            order_date=order_dates[i],
            arrival_date=max(arrival_dates[i], order_dates[i]),
            quantity=float(line.quantity),
            cost=float(_plain(line.cost) or 0.0),
            reason=str(line.reason)[:400],
        )
        for i, line in enumerate(frame.itertuples(index=False))
        if float(line.quantity) > 0
    ]
    Recommendation.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


# --- The planner's decisions --------------------------------------------------------------


def _locked(*, scope: Scope, pks: Iterable[int]) -> list[Recommendation]:
    """The recommendations ``pks`` within ``scope``, locked in id order (a consistent order
    keeps two planners' bulk decisions from deadlocking). Any one missing or outside the
    scope refuses the whole batch."""
    wanted = sorted({int(pk) for pk in pks})
    rows = list(
        Recommendation.objects.visible_to(scope)
        .filter(pk__in=wanted)
        .select_related("sku")
        .select_for_update(no_key=True, of=("self",))
        .order_by("pk")
    )
    if len(rows) != len(wanted):
        raise Recommendation.DoesNotExist("No such recommendation in your planning scope.")
    return rows


def _check_version(row: Recommendation, version: int | None) -> None:
    if version is not None and int(version) != row.version:
        raise StaleDecision(
            f"Someone changed the recommendation for {row.sku.code} since you opened the page "
            f"(now {row.get_status_display().lower()}, "
            f"{row.final_quantity if row.final_quantity is not None else row.quantity:,.0f} "
            "units). Reload and decide again."
        )


def _decide(row: Recommendation, *, actor, status: str, final_quantity: float | None) -> None:
    row.status = status
    row.final_quantity = final_quantity
    row.decided_by = actor if actor is not None and actor.is_authenticated else None
    row.decided_at = timezone.now()
    row.version += 1
    row.save(update_fields=["status", "final_quantity", "decided_by", "decided_at", "version"])


@transaction.atomic
def recommendation_accept(*, scope: Scope, actor, pk: int, version: int | None) -> Recommendation:
    """Approve the recommended quantity as it is."""
    (row,) = _locked(scope=scope, pks=[pk])
    _check_version(row, version)
    _decide(row, actor=actor, status=RecommendationStatus.ACCEPTED, final_quantity=row.quantity)
    return row


@transaction.atomic
def recommendation_edit(
    *, scope: Scope, actor, pk: int, version: int | None, quantity: float
) -> tuple[Recommendation, str]:
    """Approve another quantity, rounded up to whole cases; refused below the MOQ.

    Returns the row and a note saying how the quantity was rounded (empty if it was not).
    """
    (row,) = _locked(scope=scope, pks=[pk])
    _check_version(row, version)
    rounded = order_quantity_rounded(
        quantity=quantity, case_pack=row.sku.case_pack, min_order_qty=row.sku.min_order_qty
    )
    status = (
        RecommendationStatus.ACCEPTED
        if rounded.units == row.quantity
        else RecommendationStatus.EDITED
    )
    _decide(row, actor=actor, status=status, final_quantity=rounded.units)
    return row, rounded.note


@transaction.atomic
def recommendation_reject(*, scope: Scope, actor, pk: int, version: int | None) -> Recommendation:
    """Decline the recommendation: nothing is ordered."""
    (row,) = _locked(scope=scope, pks=[pk])
    _check_version(row, version)
    _decide(row, actor=actor, status=RecommendationStatus.REJECTED, final_quantity=None)
    return row


@transaction.atomic
def recommendations_decide(
    *, scope: Scope, actor, versions: Mapping[int, int | None], accept: bool
) -> int:
    """Accept (at the recommended quantity) or reject many recommendations at once.

    ``versions`` maps each id to the version the planner saw; all or nothing: one row out of
    scope or changed meanwhile refuses the batch. Rows already decided the same way are
    left as they are (not counted).
    """
    if not versions:
        raise DecisionRefused("Tick at least one recommendation first.")
    if len(versions) > MAX_BULK:
        raise DecisionRefused(f"Decide at most {MAX_BULK:,} recommendations at a time.")
    rows = _locked(scope=scope, pks=versions)
    for row in rows:
        _check_version(row, versions[row.pk])
    status = RecommendationStatus.ACCEPTED if accept else RecommendationStatus.REJECTED
    changed = 0
    for row in rows:
        final = row.quantity if accept else None
        if row.status == status and row.final_quantity == final:
            continue
        _decide(row, actor=actor, status=status, final_quantity=final)
        changed += 1
    return changed


# --- The plan job -------------------------------------------------------------------------


def _keyed(inputs: PolicyInputs, policies: pd.DataFrame) -> pd.DataFrame:
    """``policies`` (aligned on ``inputs.series``) with each row's location, SKU and stock."""
    keys = inputs.series[["store_id", "warehouse_id", "sku_id", "on_hand", "on_order"]]
    return pd.concat([keys, policies.loc[inputs.series.index]], axis=1)


def inventory_plan_work(job: JobRun, params: InventoryPlanParams, progress) -> dict:
    """The ``inventory_plan`` job: load the inputs of the run's scope, compute and store the
    policies, solve the order plan and store its lines as recommendations, all recorded on
    one ``InventoryPlanRun``.

    With an order plan, the stored policies are the ones the plan kept (its weekly review
    and the company's target), so the policy page and the recommendations agree; a
    policies-only run applies each category's own service target at the settings' review,
    in chunks of whole SKUs that every free worker helps with (``inventory_chunks_help``).
    """
    if not params.solve_plan:
        return _policies_run_work(job, params, progress)
    scope = params.scope()
    settings = InventorySettings.current()
    as_of = date.fromisoformat(params.as_of) if params.as_of else None
    progress(2, "Reading forecasts, stock, lead times and capacities")
    plan = order_plan_inputs_load(scope=scope, as_of=as_of)
    inputs = plan.inputs
    policies = _keyed(inputs, plan.policies) if len(inputs.series) else pd.DataFrame()
    count = len(inputs.series)
    run = InventoryPlanRun.objects.create(
        job=job,
        origin=inputs.as_of,
        horizon_days=inputs.horizon_days,
        target_kind=settings.target_kind,
        target=settings.target,
        status=PlanStatus.POLICIES,
        summary={"scope": scope.label, "series": count},
    )
    stored = policies_store(run=run, policies=policies) if count else 0
    progress(45, f"{stored:,} policies stored")
    recommendations = 0
    if count:
        progress(50, "Solving the order plan")
        solution = order_plan_solve(plan.problem, time_limit_s=params.time_limit_s)
        progress(90, f"Order plan {solution.status} in {solution.seconds:.1f} s; storing lines")
        run.status = solution.status
        run.solver = solution.solver
        run.solve_seconds = solution.seconds
        run.mip_gap = solution.mip_gap
        run.objective = solution.objective
        run.explanation = solution.explanation
        run.summary = {**run.summary, "cost_breakdown": solution.cost_breakdown}
        run.save()
        recommendations = recommendations_store(
            run=run, lines=solution.lines, period_starts=plan.period_starts, scope=scope
        )
    progress(100, "Plan ready")
    return _run_result(run, policies=stored, recommendations=recommendations)


def _run_result(run: InventoryPlanRun, *, policies: int, recommendations: int) -> dict:
    return {
        "run": run.pk,
        "origin": run.origin.isoformat(),
        "policies": policies,
        "recommendations": recommendations,
        "status": run.status,
        "status_label": PlanStatus(run.status).label,
        "solver": run.solver,
        "solve_seconds": run.solve_seconds,
        "objective": run.objective,
        "explanation": run.explanation,
    }


# --- Policies-only runs, in chunks shared by workers --------------------------------------


def plan_sku_chunks(series_per_sku: Mapping[int, int], chunk_series: int) -> list[list[int]]:
    """Group SKUs (in id order) into chunks of at most ``chunk_series`` series (a SKU with
    more series alone): whole SKUs, so each chunk's policies are what one pass would give."""
    chunks: list[list[int]] = []
    current: list[int] = []
    size = 0
    for sku_id in sorted(series_per_sku):
        count = series_per_sku[sku_id]
        if current and size + count > chunk_series:
            chunks.append(current)
            current, size = [], 0
        current.append(int(sku_id))
        size += count
    if current:
        chunks.append(current)
    return chunks


def _policies_run_prepare(*, job: JobRun, params: InventoryPlanParams) -> InventoryPlanRun:
    """The run of a policies-only job with its chunks; a redelivered job finds the run it
    already made. Raises ``PolicyInputsError`` when there is no daily forecast to plan from."""
    existing = InventoryPlanRun.objects.filter(job=job).first()
    if existing is not None:
        return existing
    scope = params.scope()
    settings = InventorySettings.current()
    origin = date.fromisoformat(params.as_of) if params.as_of else None
    origin = origin or latest_origin(Granularity.DAILY)
    if origin is None:
        raise PolicyInputsError("No daily forecast exists yet: run `forecast --granularity daily`.")
    horizon = params.horizon_days or settings.horizon_days
    per_sku = dict(
        Forecast.objects.filter(scope_q(scope))
        .filter(
            granularity=Granularity.DAILY,
            origin=origin,
            date__gt=origin,
            date__lte=origin + timedelta(days=horizon),
        )
        .values("sku_id")
        .annotate(series=Count("store_id", distinct=True))
        .values_list("sku_id", "series")
    )
    if not per_sku:
        raise PolicyInputsError(f"No daily forecast made at {origin} covers a series in scope.")
    chunks = plan_sku_chunks(per_sku, params.chunk_series)
    with transaction.atomic():
        run = InventoryPlanRun.objects.create(
            job=job,
            origin=origin,
            horizon_days=horizon,
            target_kind=settings.target_kind,
            target=settings.target,
            status=PlanStatus.POLICIES,
            summary={"scope": scope.label, "series": 0, "chunks": len(chunks)},
        )
        InventoryPlanChunk.objects.bulk_create(
            InventoryPlanChunk(run=run, index=i, sku_ids=ids) for i, ids in enumerate(chunks)
        )
    return run


def inventory_chunk_claim(*, run: InventoryPlanRun) -> InventoryPlanChunk | None:
    """Take the next pending chunk of ``run`` for this worker, or an abandoned one (its
    holder stopped heartbeating, or was a process of this machine that has died)."""
    return claim_chunk(
        InventoryPlanChunk.objects.filter(run=run),
        pending=InventoryPlanChunk.Status.PENDING,
        running=InventoryPlanChunk.Status.RUNNING,
    )


def inventory_chunk_process(*, chunk: InventoryPlanChunk, params: InventoryPlanParams) -> int:
    """Compute and store the policies of one chunk's SKUs (in one transaction, so a chunk
    taken over after its worker died is written once); returns the series count. The
    holder heartbeats its claim meanwhile (on Celery workers)."""

    def beat() -> None:
        InventoryPlanChunk.objects.filter(
            pk=chunk.pk, status=InventoryPlanChunk.Status.RUNNING, worker=chunk.worker
        ).update(heartbeat_at=timezone.now())

    started = time.perf_counter()
    run = chunk.run
    try:
        with heartbeat(beat):
            inputs = policy_inputs_load(
                scope=params.scope(),
                as_of=run.origin,
                horizon_days=run.horizon_days,
                sku_ids=chunk.sku_ids,
            )
            count = len(inputs.series)
            if count:
                policies = policies_for_series(inputs, InventorySettings.current())
                with transaction.atomic():
                    policies_store(run=run, policies=policies)
    except Exception as exc:
        InventoryPlanChunk.objects.filter(pk=chunk.pk).update(
            status=InventoryPlanChunk.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    finally:
        return_freed_memory()  # the worker goes on with another chunk or job
    InventoryPlanChunk.objects.filter(pk=chunk.pk).update(
        status=InventoryPlanChunk.Status.DONE,
        series_count=count,
        seconds=round(time.perf_counter() - started, 2),
    )
    return count


def inventory_chunks_help(job: JobRun, params: InventoryPlanParams) -> int:
    """A helper worker's share of a policies-only run: process chunks until none is left."""
    run = InventoryPlanRun.objects.filter(job=job).first()
    processed = 0
    while run is not None and (chunk := inventory_chunk_claim(run=run)) is not None:
        processed += inventory_chunk_process(chunk=chunk, params=params)
    return processed


def _chunks_done(run: InventoryPlanRun) -> tuple[int, int]:
    """Chunks done and in all; raises when one failed (the job fails with its reason)."""
    statuses = list(run.chunks.values_list("status", "index", "error"))
    for status, index, error in statuses:
        if status == InventoryPlanChunk.Status.FAILED:
            raise RuntimeError(f"Chunk {index + 1} failed: {error}")
    done = sum(status == InventoryPlanChunk.Status.DONE for status, _, _ in statuses)
    return done, len(statuses)


def _policies_run_work(job: JobRun, params: InventoryPlanParams, progress) -> dict:
    """A policies-only run: chunks of whole SKUs, processed by this worker and by helpers
    on any free worker, with progress as chunks finish."""
    progress(1, "Planning chunks of SKUs")
    run = _policies_run_prepare(job=job, params=params)
    total = run.chunks.count()
    job_helpers_start(job=job, count=min(total - 1, django_settings.FORECAST_FANOUT))
    while True:
        done, total = _chunks_done(run)
        progress(2 + 96 * done / max(total, 1), f"Policies: {done} of {total} chunks done")
        if done == total:
            break
        if (chunk := inventory_chunk_claim(run=run)) is not None:
            inventory_chunk_process(chunk=chunk, params=params)
            continue
        time.sleep(1)  # the remaining chunks are with other workers
    stored = sum(run.chunks.values_list("series_count", flat=True))
    run.summary = {
        **run.summary,
        "series": stored,
        "chunk_seconds": list(run.chunks.order_by("index").values_list("seconds", flat=True)),
    }
    run.save(update_fields=["summary"])
    progress(100, "Policies ready")
    return _run_result(run, policies=stored, recommendations=0)
