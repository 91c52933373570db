"""The executive's look ahead: next month's forecast against the same month a year earlier.

Read from summaries only: the forecast from ``MonthlyForecast`` (one row per series and
month), last year from ``DailySales``. The forecast counts units; its value is the units of
each SKU times the SKU's unit price, summed (SKUs without a price add units but no value).
Last year's value is the sales value recorded then. A value-only source (sales values, no
quantities, as Walmart's) is forecast in value: its forecast is the value, and has no units.
"Next month" is the first calendar month after the forecast's origin (the last day with
actuals): the daily forecast is used when it covers the whole month, else the weekly one when
that does, else the one covering more days.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, FloatField, Max, Q, Sum
from django.db.models.functions import Cast

from accounts.scoping import Scope
from dashboards.models import DailySales, MonthlyForecast
from forecasting.models import Granularity
from history.selectors import sales_in_scope
from history.weekly_sales import default_measure
from masterdata.models import Category


@dataclass
class Outlook:
    """A member's forecast for the month and its sales in the same month a year earlier."""

    name: str
    is_child: bool = False
    value: float | None = None
    units: float | None = None
    value_last_year: float | None = None
    units_last_year: float | None = None
    children: list[Outlook] = field(default_factory=list)

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

    def add(self, **amounts: float | None) -> None:
        """Add the non-empty ``amounts`` (value, units, …) to this member's."""
        for name, amount in amounts.items():
            if amount is not None:
                setattr(self, name, (getattr(self, name) or 0.0) + amount)


def _month_after(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _year_before(month: dt.date) -> dt.date:
    return month.replace(year=month.year - 1)


def _origin(granularity: str) -> dt.date | None:
    """The origin of the summed forecast of ``granularity`` (all its rows share it)."""
    rows = MonthlyForecast.objects.filter(granularity=granularity).values_list("origin")
    return next((origin for (origin,) in rows[:1]), None)


def _source() -> tuple[str, dt.date, dt.date, int] | None:
    """The granularity, origin and month to show, and the days of the month it covers."""
    origins = {g: o for g in (Granularity.DAILY, Granularity.WEEKLY) if (o := _origin(g))}
    if not origins:
        return None
    month = _month_after(origins.get(Granularity.DAILY) or origins[Granularity.WEEKLY])
    days_in_month = _month_end(month).day
    coverage = dict(
        MonthlyForecast.objects.filter(granularity__in=list(origins), month=month)
        .values("granularity")
        .annotate(days=Max("days"))
        .values_list("granularity", "days")
        .order_by()
    )
    candidates = [g for g in origins if coverage.get(g)]
    if not candidates:
        return None
    complete = [g for g in candidates if coverage[g] >= days_in_month]
    granularity = (complete or sorted(candidates, key=lambda g: -coverage[g]))[0]
    return granularity, origins[granularity], month, coverage[granularity]


def next_month_outlook(scope: Scope) -> dict[str, Any]:
    """Next month by region and by category (top-level, with their subcategories) in scope.

    Two grouped queries, one per summary, keyed by region and the SKU's own category; the
    categories are then rolled up to their top-level parent here (a few dozen rows).
    ``categories`` lists each top-level category followed by its subcategories
    (``is_child``).
    """
    source = _source()
    if source is None:
        return {"outlook": None}
    granularity, origin, month, days = source
    forecasts = (
        MonthlyForecast.objects.visible_to(scope)
        .filter(granularity=granularity, month=month)
        .values_list("store__region__name", "sku__category_id")
        .annotate(
            units=Sum("forecast"),
            value=Sum(F("forecast") * Cast("sku__unit_price", FloatField())),
            unpriced=Sum("forecast", filter=Q(sku__unit_price__isnull=True)),
        )
        .order_by()
    )
    ly_start = _year_before(month)
    last_year = (
        DailySales.objects.visible_to(scope)
        .filter(date__gte=ly_start, date__lte=_month_end(ly_start))
        .values_list("store__region__name", "category_id")
        .annotate(units=Sum("units"), value=Sum("value"))
        .order_by()
    )
    categories = {c.pk: c for c in Category.objects.only("id", "name", "parent_id")}

    def root_of(category_id: int) -> int:
        seen: set[int] = set()
        while categories[category_id].parent_id and category_id not in seen:
            seen.add(category_id)
            category_id = categories[category_id].parent_id
        return category_id

    total = Outlook("All regions")
    by_region: dict[str, Outlook] = {}
    by_category: dict[int, Outlook] = {}
    by_leaf: dict[int, Outlook] = {}

    def members(region: str | None, category_id: int) -> list[Outlook]:
        root = root_of(category_id)
        region = region or "No region"
        in_region = by_region.setdefault(region, Outlook(region))
        top = by_category.setdefault(root, Outlook(categories[root].name))
        found = [total, in_region, top]
        if category_id != root:
            leaf = by_leaf.get(category_id)
            if leaf is None:
                leaf = Outlook(categories[category_id].name, is_child=True)
                by_leaf[category_id] = leaf
                top.children.append(leaf)
            found.append(leaf)
        return found

    # No sales at all reads as "value" to default_measure; the outlook then counts units.
    value_only = default_measure(scope) == "value" and sales_in_scope(scope).exists()
    unpriced_units = 0.0
    for region, category_id, units, value, unpriced in forecasts:
        if value_only:  # the forecast is of sales value already: no units, no price needed
            units, value, unpriced = None, units, None
        unpriced_units += unpriced or 0.0
        for member in members(region, category_id):
            member.add(units=units, value=value)
    for region, category_id, units, value in last_year:
        for member in members(region, category_id):
            member.add(units_last_year=units, value_last_year=value)

    def by_name(outlooks: Iterable[Outlook]) -> list[Outlook]:
        return sorted(outlooks, key=lambda o: o.name)

    categories_then_children = [
        row for top in by_name(by_category.values()) for row in (top, *by_name(top.children))
    ]
    return {
        "outlook": {
            "month": month,
            "month_last_year": ly_start,
            "granularity": Granularity(granularity).label.lower(),
            "origin": origin,
            "days": days,
            "days_in_month": _month_end(month).day,
            "total": total,
            "total_row": [total],
            "regions": by_name(by_region.values()),
            "categories": categories_then_children,
            "unpriced_units": unpriced_units,
            "value_only": value_only,
        }
    }
