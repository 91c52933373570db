"""Reading pilots for their pages: the overview, a pilot's groups, its weekly trends and
its per-store figures, scoped by the reader's ``Scope``.

The pages are for admins and executives, who see the whole company; the store reads still go
through ``visible_to(scope)`` so a narrower reader could never see stores outside their scope.
The scorecard (a permutation test per KPI) is kept in the cache per pilot version and per
state of its stored KPI values, so the overview and the KPI page do not redo it on each view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from accounts.scoping import Scope
from masterdata.models import Store
from pilots.analysis import PilotAnalysis, pilot_analysis
from pilots.engine.kpis import period_value
from pilots.models import LOWER_IS_BETTER, Group, Kpi, KpiValue, Pilot, PilotKpi, PilotStore
from pilots.services import DesignCheck, pilot_design_check

SCORECARD_SECONDS = 6 * 3600
DESIGN_CHECK_SECONDS = 3600

# How each KPI's value reads: a share (shown in per cent, effects in points), a count per
# day, a rate per year or money per day.
KPI_UNITS = {
    Kpi.MAPE: "share",
    Kpi.WAPE: "share",
    Kpi.CYCLE_SERVICE_LEVEL: "share",
    Kpi.FILL_RATE: "share",
    Kpi.EXCESS_STOCK: "share",
    Kpi.STOCKOUTS: "per_day",
    Kpi.TURNOVER: "per_year",
    Kpi.COST: "money_per_day",
    Kpi.ALERTS_CONFIRMED: "share",
}
UNIT_LABELS = {
    "share": "%",
    "per_day": "series out of stock per day",
    "per_year": "turns a year",
    "money_per_day": "per store-day",
}


@dataclass(frozen=True)
class PilotRow:
    """One line of the overview."""

    pilot: Pilot
    control: int
    experimental: int
    primary: PilotKpi | None
    analysis: PilotAnalysis | None


def kpi_unit(kpi: str) -> str:
    return KPI_UNITS.get(kpi, "share")


def better_when(kpi: str) -> str:
    return "lower" if kpi in LOWER_IS_BETTER else "higher"


def pilot_list(*, scope: Scope) -> QuerySet[Pilot]:
    """Every pilot ``scope`` may read with its groups' sizes, newest first."""
    return (
        Pilot.objects.visible_to(scope)
        .annotate(
            control=Count("stores", filter=Q(stores__group=Group.CONTROL)),
            experimental=Count("stores", filter=Q(stores__group=Group.EXPERIMENTAL)),
        )
        .prefetch_related("kpis")
    )


def pilot_get(*, pk: int, scope: Scope) -> Pilot | None:
    return Pilot.objects.visible_to(scope).filter(pk=pk).first()


def pilot_kpis(pilot: Pilot) -> list[PilotKpi]:
    return list(PilotKpi.objects.filter(pilot=pilot))


def pilot_overview(*, scope: Scope, as_of: date | None = None) -> list[PilotRow]:
    """The overview's lines: groups, primary KPI and, once KPI values exist, the scorecard."""
    rows = []
    for pilot in pilot_list(scope=scope):
        kpis = list(pilot.kpis.all())
        primary = next((k for k in kpis if k.primary), None)
        measured = pilot.status != "draft" and pilot_has_values(pilot)
        rows.append(
            PilotRow(
                pilot=pilot,
                control=pilot.control,
                experimental=pilot.experimental,
                primary=primary,
                analysis=pilot_scorecard(pilot=pilot, as_of=as_of) if measured else None,
            )
        )
    return rows


def pilot_has_values(pilot: Pilot) -> bool:
    return KpiValue.objects.filter(pilot=pilot, date__gte=pilot.start_date).exists()


def pilot_scorecard(*, pilot: Pilot, as_of: date | None = None) -> PilotAnalysis:
    """``pilot_analysis``, cached until the pilot or its stored KPI values change."""
    as_of = min(as_of or timezone.localdate() - timedelta(days=1), pilot.end_date)
    state = KpiValue.objects.filter(pilot=pilot).aggregate(rows=Count("pk"), last=Max("date"))
    key = f"pilots:scorecard:{pilot.pk}:{pilot.version}:{as_of}:{state['rows']}:{state['last']}"
    analysis = cache.get(key)
    if analysis is None:
        analysis = pilot_analysis(pilot=pilot, as_of=as_of)
        cache.set(key, analysis, SCORECARD_SECONDS)
    return analysis


def design_check(pilot: Pilot) -> DesignCheck:
    """``pilot_design_check`` (half a year of the stores' history), kept for an hour per
    assignment: every redraw changes the pilot's version and so the key."""
    key = f"pilots:design-check:{pilot.pk}:{pilot.version}"
    check = cache.get(key)
    if check is None:
        check = pilot_design_check(pilot=pilot)
        cache.set(key, check, DESIGN_CHECK_SECONDS)
    return check


def stores_for_design(scope: Scope) -> list[Store]:
    """The stores an admin may put in a pilot, with what stratification reads."""
    return list(Store.objects.visible_to(scope).select_related("region").order_by("code"))


def pilot_members(*, pilot: Pilot, scope: Scope) -> list[PilotStore]:
    return list(
        PilotStore.objects.visible_to(scope)
        .filter(pilot=pilot)
        .select_related("store", "store__region")
        .order_by("group", "block", "store__code")
    )


def busy_stores(pilot: Pilot) -> dict[str, str]:
    """Codes of stores already in another active pilot over these dates → its name."""
    rows = (
        PilotStore.objects.filter(
            active=True, start_date__lte=pilot.end_date, end_date__gte=pilot.start_date
        )
        .exclude(pilot=pilot)
        .values_list("store__code", "pilot__name")
    )
    return dict(rows)


def _values(pilot: Pilot, kpis: list[str], until: date) -> pd.DataFrame:
    columns = ["store_id", "kpi", "date", "numerator", "denominator"]
    return pd.DataFrame(
        list(
            KpiValue.objects.filter(pilot=pilot, kpi__in=kpis, date__lte=until).values_list(
                *columns
            )
        ),
        columns=columns,
    )


def pilot_trends(*, pilot: Pilot, as_of: date) -> dict:
    """Per KPI, each group's weekly figure (its stores' numerators over their denominators)
    over the pre-period and the pilot so far, with the start to mark on the charts."""
    kpis = [k.kpi for k in pilot_kpis(pilot)]
    values = _values(pilot, kpis, as_of)
    groups = dict(PilotStore.objects.filter(pilot=pilot).values_list("store_id", "group"))
    charts = []
    if not values.empty:
        values["group"] = values["store_id"].map(groups)
        values = values.dropna(subset=["group"])
        dates = pd.to_datetime(values["date"])
        values["week"] = (dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")).dt.date
    for kpi in kpis:
        rows = values[values["kpi"] == kpi] if not values.empty else values
        chart = {
            "kpi": kpi,
            "label": Kpi(kpi).label,
            "unit": kpi_unit(kpi),
            "x": [],
            "control": [],
            "experimental": [],
        }
        if not rows.empty:
            sums = rows.groupby(["week", "group"])[["numerator", "denominator"]].sum()
            sums = sums[sums["denominator"] > 0]
            wide = (sums["numerator"] / sums["denominator"]).unstack("group").sort_index()
            chart["x"] = [week.isoformat() for week in wide.index]
            for group, name in ((Group.CONTROL, "control"), (Group.EXPERIMENTAL, "experimental")):
                column = wide[group] if group in wide.columns else pd.Series(index=wide.index)
                chart[name] = [None if pd.isna(v) else round(float(v), 6) for v in column]
        charts.append(chart)
    return {"start": pilot.start_date.isoformat(), "charts": charts}


@dataclass(frozen=True)
class StoreFigures:
    member: PilotStore
    before: float | None
    during: float | None

    @property
    def change(self) -> float | None:
        if self.before is None or self.during is None:
            return None
        return self.during - self.before


def pilot_store_figures(*, pilot: Pilot, scope: Scope, kpi: str, as_of: date) -> list[StoreFigures]:
    """Each visible member store's ``kpi`` over the pre-period and over the pilot so far."""
    members = pilot_members(pilot=pilot, scope=scope)
    values = _values(pilot, [kpi], as_of)
    before = after = {}
    if not values.empty:
        pre = period_value(values[values["date"] < pilot.start_date])
        post = period_value(values[values["date"] >= pilot.start_date])
        before = dict(zip(pre["store_id"], pre["value"], strict=True))
        after = dict(zip(post["store_id"], post["value"], strict=True))
    return [
        StoreFigures(
            member=m,
            before=_float(before.get(m.store_id)),
            during=_float(after.get(m.store_id)),
        )
        for m in members
    ]


def _float(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)
