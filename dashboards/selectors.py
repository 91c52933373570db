"""What the home pages and the data overview show, read from the summary tables.

Every figure that sums sales comes from ``DailySales`` or ``SeriesCoverage`` filtered by the
scope (see ``dashboards.models``), a few thousand rows instead of millions of facts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Max, Min, Q, Sum

from accounts.models import Role
from accounts.scoping import Scope
from accounts.selectors import scope_summary
from dashboards.models import DailySales, SeriesCoverage, SkuSales, WeeklySales
from history.completeness import (
    STOPPED_AFTER_PERIODS,
    Completeness,
    completeness_from_counts,
    lookback_start,
    sales_grain,
)
from history.weekly_sales import GroupBy, Measure, chart_context, weekly_chart_series
from history.weekly_sales import history_coverage as history_coverage_of_facts
from jobs.models import JobRun
from masterdata.models import SKU, Category, Region, Store, Warehouse
from masterdata.selectors import company, store_list

KPI_WINDOW_DAYS = 28
# 52 weeks back, so the same weekdays are compared (a weekend-heavy retail pattern lines up).
YEAR_AGO_DAYS = 364


def data_completeness(scope: Scope) -> Completeness:
    """``history.completeness``'s rule within ``scope``, counted off the summary cells: rows
    per store and date from the day cells, active series per store from the series' last
    dates (the same counts the facts give, in a few hundred rows instead of weeks of facts)."""
    share = company().complete_share
    grain = sales_grain()
    cells = DailySales.objects.visible_to(scope)
    last = cells.aggregate(last=Max("date"))["last"] if grain else None
    if last is None:
        return Completeness(grain, None, None, 0, 0, share)
    since = lookback_start(grain, last)
    rows_by_date: dict[dt.date, dict[int, int]] = defaultdict(dict)
    for date, store_id, rows in (
        cells.filter(date__gt=since)
        .values("date", "store_id")
        .annotate(rows=Sum("rows"))
        .values_list("date", "store_id", "rows")
        .order_by()
    ):
        rows_by_date[date][store_id] = rows
    series_by_store = dict(
        SkuSales.objects.visible_to(scope)
        .filter(last_date__gt=since)
        .values("store_id")
        .annotate(series=Count("id"))
        .values_list("store_id", "series")
        .order_by()
    )
    return completeness_from_counts(
        grain=grain,
        last=last,
        rows_by_date=rows_by_date,
        series_by_store=series_by_store,
        share=share,
    )


def stopped_series(scope: Scope, completeness: Completeness, *, limit: int = 50) -> list[dict]:
    """Series in scope with rows in the lookback window but none in the last
    ``STOPPED_AFTER_PERIODS`` periods up to the last complete one: series that stopped
    reporting (or, in sparse sources, went quiet), flagged rather than read as a run of zero
    sales. The most recently silent first, at most ``limit``."""
    if completeness.last_complete is None:
        return []
    period = dt.timedelta(days=completeness.period_days)
    silent_since = completeness.last_complete - STOPPED_AFTER_PERIODS[completeness.grain] * period
    return list(
        SkuSales.objects.visible_to(scope)
        .filter(
            last_date__gt=lookback_start(completeness.grain, completeness.last_date),
            last_date__lte=silent_since,
        )
        .values(
            "store_id",
            "store__code",
            "store__name",
            "sku_id",
            "sku__code",
            "sku__name",
            "last_date",
        )
        .order_by("-last_date", "store__code", "sku__code")[:limit]
    )


def planner_home(user: User, scope: Scope) -> dict[str, Any]:
    return {
        "scoped": scope.is_scoped,
        "scope": scope_summary(user),
        "store_count": Store.objects.visible_to(scope).count(),
        "sku_count": SKU.objects.visible_to(scope).count(),
        "completeness": data_completeness(scope),
        "jobs": JobRun.objects.filter(created_by=user)[:6],
    }


def admin_home() -> dict[str, Any]:
    counts = {
        "Regions": Region.objects.count(),
        "Warehouses": Warehouse.objects.count(),
        "Stores": Store.objects.count(),
        "Categories": Category.objects.count(),
        "SKUs": SKU.objects.count(),
    }
    users_by_role = dict(
        User.objects.filter(is_active=True, groups__name__in=Role.values)
        .values_list("groups__name")
        .annotate(n=Count("id", distinct=True))
    )
    return {
        "counts": counts,
        "sales_rows": DailySales.objects.aggregate(rows=Sum("rows"))["rows"] or 0,
        "completeness": data_completeness(Scope.company_wide()),
        "imports": JobRun.objects.filter(kind__startswith="import").select_related("created_by")[
            :5
        ],
        "jobs": JobRun.objects.select_related("created_by")[:8],
        "users_by_role": [(label, users_by_role.get(value, 0)) for value, label in Role.choices],
        "inactive_users": User.objects.filter(is_active=False).count(),
    }


@dataclass(frozen=True)
class RegionSales:
    """Sales of one region over the last four weeks and the same weeks a year earlier."""

    region: str
    value: float | None
    value_last_year: float | None
    units: float | None
    units_last_year: float | None

    @staticmethod
    def _change(now: float | None, before: float | None) -> float | None:
        if now is None or not before:
            return None
        return (now - before) / abs(before) * 100

    @property
    def value_change_pct(self) -> float | None:
        return self._change(self.value, self.value_last_year)

    @property
    def units_change_pct(self) -> float | None:
        return self._change(self.units, self.units_last_year)


def executive_home(scope: Scope) -> dict[str, Any]:
    """Headline KPIs: the last four weeks of data against the same four weeks a year earlier.

    The window ends at the last complete sales date (``history.completeness``) rather than
    today, so a history loaded in bulk still shows meaningful numbers and a day only a few
    series have reported does not shift it. One aggregate query groups both periods by region.
    """
    completeness = data_completeness(scope)
    end = completeness.last_complete
    if end is None:
        return {"end": None, "regions": [], "total": None, "completeness": completeness}
    start = end - dt.timedelta(days=KPI_WINDOW_DAYS - 1)
    ly_start, ly_end = (
        start - dt.timedelta(days=YEAR_AGO_DAYS),
        end - dt.timedelta(days=YEAR_AGO_DAYS),
    )
    now, year_ago = Q(date__gte=start, date__lte=end), Q(date__gte=ly_start, date__lte=ly_end)
    rows = (
        DailySales.objects.visible_to(scope)
        .filter(now | year_ago)
        .values("store__region__name")
        .annotate(
            value_now=Sum("value", filter=now),
            value_ly=Sum("value", filter=year_ago),
            units_now=Sum("units", filter=now),
            units_ly=Sum("units", filter=year_ago),
        )
        .order_by("store__region__name")
    )
    regions = [
        RegionSales(
            r["store__region__name"], r["value_now"], r["value_ly"], r["units_now"], r["units_ly"]
        )
        for r in rows
    ]

    def total(attr: str) -> float | None:
        values = [getattr(r, attr) for r in regions if getattr(r, attr) is not None]
        return sum(values) if values else None

    return {
        "completeness": completeness,
        "end": end,
        "start": start,
        "ly_start": ly_start,
        "ly_end": ly_end,
        "regions": regions,
        "total": RegionSales(
            "All regions",
            total("value"),
            total("value_last_year"),
            total("units"),
            total("units_last_year"),
        ),
    }


def default_measure(scope: Scope) -> Measure:
    """Units when any visible sales carry quantities; value for value-only sources."""
    with_units = DailySales.objects.visible_to(scope).filter(unit_rows__gt=0)
    return "units" if with_units.exists() else "value"


def _union_by(rows: Iterable[tuple]) -> dict[tuple, int]:
    """The union of the weekday masks of each key, from ``(key, mask)`` pairs."""
    masks: dict[tuple, int] = defaultdict(int)
    for key, mask in rows:
        masks[key] |= mask
    return masks


def weekly_sales(
    scope: Scope,
    *,
    group_by: GroupBy = "region",
    measure: Measure = "units",
    store: Store | None = None,
) -> dict:
    """The weekly sales chart of the scope (or of one store in it), from the week cells.

    The same figures as ``history.weekly_sales.weekly_sales`` over the facts: a cell carries
    a measure when one of its facts does, and a week's dates with the measure in a group are
    the union of its cells' weekday masks.
    """
    key = "store__region__name" if group_by == "region" else "category_id"
    column, present, mask = (
        ("units", "unit_rows", "unit_days")
        if measure == "units"
        else ("value", "value_rows", "value_days")
    )
    cells = WeeklySales.objects.visible_to(scope)
    if store is not None:
        cells = cells.filter(store=store)
    # Grouped by the mask too, so the database sums and a few hundred rows come back; the
    # masks of a week and group are then joined here (no bitwise aggregate in SQLite).
    cells = (
        cells.filter(**{f"{present}__gt": 0})
        .values("week", key, mask)
        .annotate(total=Sum(column))
        .values_list("week", key, mask, "total")
        .order_by()
    )
    totals: dict[tuple, float] = defaultdict(float)
    pairs = []
    for week, group, days, total in cells:
        totals[week, group] += total
        pairs.append(((week, group), days))
    masks = _union_by(pairs)
    rows = [
        (week, group, total, masks[week, group].bit_count())
        for (week, group), total in totals.items()
    ]
    return weekly_chart_series(rows, group_by=group_by, measure=measure)


def weekly_chart(
    scope: Scope,
    *,
    group_by: GroupBy = "region",
    measure: Measure = "units",
    store: Store | None = None,
) -> dict:
    """Everything the ``masterdata/_weekly_chart.html`` partial needs, from the summaries."""
    chart = weekly_sales(scope, group_by=group_by, measure=measure, store=store)
    return chart_context(chart, group_by=group_by, measure=measure)


def history_coverage(scope: Scope, *, store: Store | None = None) -> dict[int, dict[str, Any]]:
    """Per store in scope: first and last sales date, days with sales and store×SKU series."""
    cells, coverage_cells = (
        WeeklySales.objects.visible_to(scope),
        SeriesCoverage.objects.visible_to(scope),
    )
    if store is not None:
        cells, coverage_cells = cells.filter(store=store), coverage_cells.filter(store=store)
    # A store's days with sales: per week the union of its cells' weekday masks (distinct
    # masks from the database, a few thousand rows), then their weekdays counted.
    sold = (
        cells.filter(sold_rows__gt=0)
        .values_list("store_id", "week", "sold_days")
        .distinct()
        .order_by()
    )
    days: Counter[int] = Counter()
    for (store_id, _), mask in _union_by(((s, w), m) for s, w, m in sold).items():
        days[store_id] += mask.bit_count()
    rows = (
        coverage_cells.values("store_id")
        .annotate(first_date=Min("first_date"), last_date=Max("last_date"), series=Sum("series"))
        .order_by()
    )
    coverage = {}
    for row in rows:
        store_id = row.pop("store_id")
        coverage[store_id] = {**row, "days_with_sales": days.get(store_id, 0)}
    return coverage


def data_freshness(scope: Scope) -> dict[str, Any]:
    """The freshness badge and the series in scope that stopped reporting."""
    completeness = data_completeness(scope)
    return {"completeness": completeness, "stopped_series": stopped_series(scope, completeness)}


def stores_with_coverage(scope: Scope) -> list[Store]:
    """The visible stores, each carrying its ``coverage`` dict (empty when it has no sales)."""
    coverage = history_coverage(scope)
    stores = list(store_list(scope))
    for store in stores:
        store.coverage = coverage.get(store.pk, {})
    return stores


def stores_selling(scope: Scope, *, sku: SKU) -> list[Store]:
    """The visible stores with sales of ``sku``, each carrying its ``coverage`` of that SKU
    (from the SKU's own facts: the summaries hold categories, not SKUs)."""
    coverage = history_coverage_of_facts(scope, sku=sku)
    stores = [store for store in store_list(scope) if store.pk in coverage]
    for store in stores:
        store.coverage = coverage[store.pk]
    return stores


def coverage_span(stores: list[Store]) -> dict[str, dt.date | None]:
    """The first and last sales date over stores from ``stores_with_coverage``."""
    covered = [store.coverage for store in stores if store.coverage]
    return {
        "first_date": min((c["first_date"] for c in covered), default=None),
        "last_date": max((c["last_date"] for c in covered), default=None),
    }


def store_page(scope: Scope, *, store: Store) -> dict[str, Any]:
    """A store's coverage (from the summaries) and its best sellers (from its facts)."""
    return {
        "store": store,
        "coverage": history_coverage(scope, store=store).get(store.pk, {}),
        "top_skus": top_skus_at_store(scope, store=store),
    }


def top_skus_at_store(scope: Scope, *, store: Store, limit: int = 15) -> list[dict]:
    """The store's best sellers over its history, as ``history.selectors``' read over the facts
    orders them (value, then units, both descending)."""
    return list(
        SkuSales.objects.visible_to(scope)
        .filter(store=store)
        .values("sku_id", "sku__code", "sku__name", "units", "value", "last_date")
        .order_by("-value", "-units")[:limit]
    )
