"""Designing, starting and measuring a pilot.

``check_*`` decide and explain (``PilotRefused``), the others change state in one
transaction. Only admins design and start pilots; the assignment is locked once a pilot runs.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import Role
from accounts.roles import user_roles
from history.models import SalesFact
from masterdata.models import Store
from pilots.engine.assignment import (
    Assignment,
    DesignError,
    assign_matched_pairs,
    assign_random,
    assign_stratified,
)
from pilots.engine.kpis import period_value, store_daily_kpis
from pilots.engine.power import kpi_variability, minimum_detectable_effect, stores_needed
from pilots.kpi_inputs import kpi_frames
from pilots.models import (
    DEFAULT_THRESHOLDS,
    Design,
    Kpi,
    KpiValue,
    Pilot,
    PilotKpi,
    PilotStatus,
    PilotStore,
)

STRATA = ("region", "format", "size", "pre_sales")
SALES_BANDS = 3


class PilotRefused(Exception):
    """What the pilot's rules do not allow now, in words for an admin."""


def check_may_design(*, actor, pilot: Pilot | None = None) -> None:
    if Role.ADMIN not in user_roles(actor):
        raise PilotRefused("Only admins design pilots and assign stores.")
    if pilot is not None and pilot.is_locked:
        raise PilotRefused(
            f"{pilot.name} is {pilot.get_status_display().lower()}: its groups are locked."
        )


@transaction.atomic
def pilot_create(
    *,
    name: str,
    start_date: date,
    end_date: date | None = None,
    actor,
    thresholds: dict[str, float] | None = None,
    primary_kpi: str = Kpi.MAPE,
    description: str = "",
) -> Pilot:
    """A pilot of three months by default, judged on the seed's KPIs and thresholds."""
    check_may_design(actor=actor)
    end_date = end_date or start_date + timedelta(days=91)
    if end_date <= start_date:
        raise PilotRefused("A pilot ends after it starts.")
    thresholds = dict(DEFAULT_THRESHOLDS if thresholds is None else thresholds)
    unknown = sorted(set(thresholds) - set(Kpi.values))
    if unknown:
        raise PilotRefused(f"Unknown KPI {', '.join(unknown)}.")
    if primary_kpi not in thresholds:
        raise PilotRefused("The primary KPI must be one of the pilot's KPIs.")
    if Pilot.objects.filter(name=name).exists():
        raise PilotRefused(f"A pilot named {name!r} exists already.")
    pilot = Pilot.objects.create(
        name=name[:120],
        description=description[:2000],
        start_date=start_date,
        end_date=end_date,
        created_by=actor,
    )
    PilotKpi.objects.bulk_create(
        PilotKpi(pilot=pilot, kpi=kpi, threshold=value, primary=kpi == primary_kpi)
        for kpi, value in thresholds.items()
    )
    return pilot


@transaction.atomic
def pilot_assign(
    *,
    pilot: Pilot,
    store_ids: list[int],
    design: str,
    actor,
    strata: tuple[str, ...] = ("region",),
    seed: int | None = None,
    groups: dict[int, int] | None = None,
) -> Assignment:
    """Assign ``store_ids`` to the groups by ``design`` (with ``groups`` given by hand for a
    manual design), replacing the pilot's earlier assignment; the seed is recorded so the
    same stores and seed give the same groups again."""
    pilot = Pilot.objects.select_for_update().get(pk=pilot.pk)
    check_may_design(actor=actor, pilot=pilot)
    stores = list(Store.objects.filter(pk__in=store_ids).order_by("pk"))
    if len(stores) != len(set(store_ids)):
        raise PilotRefused("Some of the chosen stores do not exist.")
    seed = secrets.randbelow(2**31) if seed is None else seed
    ids = np.array([s.pk for s in stores])
    try:
        assignment = _draw(pilot, stores, ids, design, strata, seed, groups)
    except DesignError as exc:
        raise PilotRefused(str(exc)) from exc
    PilotStore.objects.filter(pilot=pilot).delete()
    try:
        with transaction.atomic():
            PilotStore.objects.bulk_create(
                PilotStore(
                    pilot=pilot,
                    store_id=int(store_id),
                    group=int(group),
                    block=int(block),
                    start_date=pilot.start_date,
                    end_date=pilot.end_date,
                )
                for store_id, group, block in zip(
                    assignment.store_ids, assignment.group, assignment.blocks, strict=True
                )
            )
    except IntegrityError as exc:
        busy = _stores_in_other_pilots(pilot, list(assignment.store_ids))
        raise PilotRefused(
            f"{', '.join(busy)} {'is' if len(busy) == 1 else 'are'} in another pilot over "
            "these dates: a store is in one pilot at a time."
        ) from exc
    pilot.design, pilot.seed = design, seed
    pilot.strata = list(strata) if design in (Design.STRATIFIED, Design.MATCHED_PAIRS) else []
    pilot.version += 1
    pilot.save(update_fields=["design", "seed", "strata", "version"])
    return assignment


def _draw(pilot, stores, ids, design, strata, seed, groups) -> Assignment:
    if design == Design.RANDOM:
        return assign_random(ids, seed=seed)
    if design == Design.STRATIFIED:
        labels = _strata_labels(pilot, stores, strata)
        return assign_stratified(ids, labels, seed=seed)
    if design == Design.MATCHED_PAIRS:
        return assign_matched_pairs(ids, _matching_features(pilot, stores), seed=seed)
    if design == Design.MANUAL:
        if not groups or set(groups) != set(ids.tolist()):
            raise DesignError("Give every chosen store a group.")
        group = np.array([groups[int(i)] for i in ids], dtype=np.int8)
        if min(np.sum(group == 1), np.sum(group == 0)) < 2:
            raise DesignError("Each group needs at least two stores.")
        return Assignment(ids, group, np.zeros(len(ids), dtype=int), Design.MANUAL, seed)
    raise DesignError(f"Unknown design {design!r}.")


def _strata_labels(pilot: Pilot, stores: list[Store], strata: tuple[str, ...]) -> np.ndarray:
    unknown = sorted(set(strata) - set(STRATA))
    if unknown or not strata:
        raise DesignError(f"Stratify by {', '.join(STRATA)} (got {', '.join(strata) or 'none'}).")
    parts = []
    if "region" in strata:
        parts.append([str(s.region_id) for s in stores])
    if "format" in strata:
        parts.append([s.store_format or "-" for s in stores])
    if "size" in strata:
        parts.append(_bands([float(s.floor_area_m2 or 0) for s in stores]))
    if "pre_sales" in strata:
        sales = pre_period_sales(pilot, [s.pk for s in stores])
        parts.append(_bands([sales.get(s.pk, 0.0) for s in stores]))
    return np.array(["|".join(values) for values in zip(*parts, strict=True)])


def _bands(values: list[float]) -> list[str]:
    """Low / middle / high thirds of ``values``."""
    edges = np.quantile(values, np.linspace(0, 1, SALES_BANDS + 1)[1:-1])
    return [str(int(np.searchsorted(edges, v, side="right"))) for v in values]


def _matching_features(pilot: Pilot, stores: list[Store]) -> np.ndarray:
    sales = pre_period_sales(pilot, [s.pk for s in stores])
    return np.array([[sales.get(s.pk, 0.0), float(s.floor_area_m2 or 0)] for s in stores])


def pre_period_sales(pilot: Pilot, store_ids: list[int]) -> dict[int, float]:
    """Units each store sold in the pilot's pre-period."""
    start = pilot.start_date - timedelta(weeks=pilot.pre_period_weeks)
    rows = (
        SalesFact.objects.filter(store_id__in=store_ids, date__gte=start, date__lt=pilot.start_date)
        .values("store_id")
        .annotate(units=Sum("quantity"))
    )
    return {row["store_id"]: float(row["units"] or 0) for row in rows}


def _stores_in_other_pilots(pilot: Pilot, store_ids: list[int]) -> list[str]:
    busy = PilotStore.objects.filter(
        store_id__in=store_ids,
        active=True,
        start_date__lte=pilot.end_date,
        end_date__gte=pilot.start_date,
    ).exclude(pilot=pilot)
    return sorted({row.store.code for row in busy.select_related("store")})


@transaction.atomic
def pilot_start(*, pilot: Pilot, actor) -> Pilot:
    """Start the pilot: its groups lock, as the analysis assumes them fixed."""
    pilot = Pilot.objects.select_for_update().get(pk=pilot.pk)
    check_may_design(actor=actor, pilot=pilot)
    counts = PilotStore.objects.filter(pilot=pilot).values_list("group", flat=True)
    groups = list(counts)
    if min(groups.count(0), groups.count(1)) < 2:
        raise PilotRefused("Each group needs at least two stores before the pilot starts.")
    pilot.status = PilotStatus.RUNNING
    pilot.started_at = timezone.now()
    pilot.version += 1
    pilot.save(update_fields=["status", "started_at", "version"])
    return pilot


@transaction.atomic
def pilot_finish(*, pilot: Pilot) -> Pilot:
    """Mark a running pilot whose period is over as finished: its scorecard is final (no
    peeking warning).

    Not an admin's decision but a fact of the calendar, so the daily KPI job calls it (after
    computing the last days' KPIs) for every running pilot past its end."""
    pilot = Pilot.objects.select_for_update().get(pk=pilot.pk)
    if pilot.status != PilotStatus.RUNNING:
        raise PilotRefused(f"{pilot.name} is {pilot.get_status_display().lower()}, not running.")
    if pilot.end_date >= timezone.localdate():
        raise PilotRefused(f"{pilot.name} runs until {pilot.end_date:%d %b %Y}.")
    pilot.status = PilotStatus.FINISHED
    pilot.version += 1
    pilot.save(update_fields=["status", "version"])
    return pilot


@transaction.atomic
def pilot_cancel(*, pilot: Pilot, actor, reason: str) -> Pilot:
    """Stop a pilot early; its stores are free for another pilot."""
    if Role.ADMIN not in user_roles(actor):
        raise PilotRefused("Only admins cancel pilots.")
    if not reason.strip():
        raise PilotRefused("Say why the pilot is cancelled.")
    pilot = Pilot.objects.select_for_update().get(pk=pilot.pk)
    pilot.status = PilotStatus.CANCELLED
    pilot.description = f"{pilot.description}\nCancelled: {reason}".strip()[:2000]
    pilot.version += 1
    pilot.save(update_fields=["status", "description", "version"])
    PilotStore.objects.filter(pilot=pilot).update(active=False)
    return pilot


def pilot_kpis_compute(*, pilot: Pilot, until: date | None = None) -> int:
    """Recompute the pilot's daily KPI values from the pre-period to ``until`` (default: its
    end or yesterday), both groups from the same data; returns the rows written."""
    store_ids = list(PilotStore.objects.filter(pilot=pilot).values_list("store_id", flat=True))
    first = pilot.start_date - timedelta(weeks=pilot.pre_period_weeks)
    last = min(until or pilot.end_date, pilot.end_date, timezone.localdate() - timedelta(days=1))
    if not store_ids or last < first:
        return 0
    daily = store_daily_kpis(**kpi_frames(store_ids=store_ids, date_from=first, date_to=last))
    rows = [
        KpiValue(
            pilot=pilot,
            store_id=int(row.store_id),
            kpi=row.kpi,
            date=row.date,
            numerator=float(row.numerator),
            denominator=float(row.denominator),
        )
        for row in daily.itertuples(index=False)
    ]
    with transaction.atomic():
        KpiValue.objects.filter(pilot=pilot, date__range=(first, last)).delete()
        KpiValue.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


@dataclass(frozen=True)
class DesignCheck:
    """Before the start: the groups' balance on pre-period KPIs and what each KPI can detect."""

    balance: pd.DataFrame  # kpi, control_mean, experimental_mean, standardised_difference
    detectable: pd.DataFrame  # kpi, level, mde, mde_relative, threshold, stores_needed


def pilot_design_check(*, pilot: Pilot, daily: pd.DataFrame | None = None) -> DesignCheck:
    """The balance table and minimum detectable effects from the pre-period's weekly KPIs."""
    members = pd.DataFrame(
        list(PilotStore.objects.filter(pilot=pilot).values_list("store_id", "group")),
        columns=["store_id", "group"],
    )
    if daily is None:
        first = pilot.start_date - timedelta(weeks=pilot.pre_period_weeks)
        daily = store_daily_kpis(
            **kpi_frames(
                store_ids=members["store_id"].tolist(),
                date_from=first,
                date_to=pilot.start_date - timedelta(days=1),
            )
        )
    weeks = max((pilot.end_date - pilot.start_date).days // 7, 1)
    thresholds = dict(PilotKpi.objects.filter(pilot=pilot).values_list("kpi", "threshold"))
    n_exp, n_ctl = int((members["group"] == 1).sum()), int((members["group"] == 0).sum())
    balance, detectable = [], []
    pre = period_value(daily).merge(members, on="store_id")
    for kpi in thresholds:
        values = pre[pre["kpi"] == kpi]
        if values.empty:
            continue
        control, experimental = values[values["group"] == 0], values[values["group"] == 1]
        spread = values["value"].std(ddof=1)
        balance.append(
            {
                "kpi": kpi,
                "control_mean": control["value"].mean(),
                "experimental_mean": experimental["value"].mean(),
                "standardised_difference": (
                    (experimental["value"].mean() - control["value"].mean()) / spread
                    if spread
                    else 0.0
                ),
            }
        )
        weekly = weekly_matrix(daily[daily["kpi"] == kpi])
        if weekly.shape[0] < 3 or weekly.shape[1] < 2 * weeks:
            continue
        variability = kpi_variability(weekly.to_numpy(), pilot_weeks=weeks)
        mde = minimum_detectable_effect(variability, n_exp, n_ctl)
        target = abs(thresholds[kpi]) * variability.mean if kpi != Kpi.ALERTS_CONFIRMED else None
        detectable.append(
            {
                "kpi": kpi,
                "level": variability.mean,
                "mde": mde,
                "mde_relative": mde / variability.mean if variability.mean else None,
                "threshold": thresholds[kpi],
                "stores_needed": stores_needed(variability, target) if target else None,
            }
        )
    return DesignCheck(pd.DataFrame(balance), pd.DataFrame(detectable))


def weekly_matrix(daily: pd.DataFrame) -> pd.DataFrame:
    """Stores × weeks of one KPI (each week's numerators over its denominators)."""
    frame = daily.assign(week=pd.to_datetime(daily["date"]).dt.to_period("W"))
    sums = frame.groupby(["store_id", "week"])[["numerator", "denominator"]].sum()
    sums = sums[sums["denominator"] > 0]
    return (sums["numerator"] / sums["denominator"]).unstack("week").sort_index(axis=1)
