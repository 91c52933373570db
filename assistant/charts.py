"""The numbers of a validated chart specification, read through the pages' selectors.

Sales come from ``history.selectors.sales_in_scope`` and forecasts from
``forecasting.selectors.forecasts_in_scope``, narrowed to the asker's scope, so a chart shows
exactly what the data pages would; weeks are the company's weeks (``history.weeks``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Max, Q, Sum
from django.db.models.functions import TruncDay, TruncMonth

from accounts.scoping import Scope, category_subtree_ids
from assistant.engine.chart_spec import ChartSpec
from assistant.engine.periods import resolve_period, same_days_last_year
from forecasting.selectors import forecasts_in_scope, latest_origin
from history.selectors import sales_in_scope
from history.weeks import WeekStart, week_start_weekday
from masterdata.selectors import category_list, company, region_list, sku_list, store_list

MEMBER_PATHS = {
    "region": "store__region",
    "category": "sku__category",
    "store": "store",
    "sku": "sku",
}
MAX_SERIES = 12
FORECAST_DAYS = 28


def _filter_q(spec: ChartSpec, scope: Scope) -> Q:
    """The spec's filters as a query; codes outside the scope match nothing (never an error
    that would tell the asker the code exists)."""
    q = Q()
    for key, codes in spec.filters:
        if key == "category":
            roots = set(category_list(scope).filter(code__in=codes).values_list("id", flat=True))
            q &= Q(sku__category__in=sorted(category_subtree_ids(roots)) if roots else [])
            continue
        listing = {"region": region_list, "store": store_list, "sku": sku_list}[key](scope)
        ids = list(listing.filter(code__in=codes).values_list("id", flat=True))
        q &= Q(**{f"{MEMBER_PATHS[key]}__in": ids})
    return q


def _bucket(spec: ChartSpec):
    grain = spec.time_dimension
    if grain == "day":
        return TruncDay("date")
    if grain == "month":
        return TruncMonth("date")
    return WeekStart("date", first_weekday=week_start_weekday())


def _label(grain: str | None, day: dt.date) -> str:
    if grain == "month":
        return f"{day:%b %Y}"
    if grain == "week":
        return f"w/e {day + dt.timedelta(days=6):%d %b %Y}"
    return day.isoformat()


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _rows(queryset, spec: ChartSpec, measure) -> list[dict[str, Any]]:
    keys = []
    annotations = {}
    if spec.time_dimension:
        annotations["bucket"] = _bucket(spec)
        keys.append("bucket")
    member = spec.member_dimension
    if member:
        annotations["member"] = F(f"{MEMBER_PATHS[member]}__code")
        annotations["member_name"] = F(f"{MEMBER_PATHS[member]}__name")
        keys += ["member", "member_name"]
    return list(
        queryset.annotate(**annotations).values(*keys).annotate(total=Sum(measure)).order_by(*keys)
    )


def chart_data(*, spec: ChartSpec, scope: Scope) -> dict[str, Any]:
    """Labels and series (each with its unit and total) for ``spec`` within ``scope``."""
    currency = company().currency
    unit = currency if spec.unit == "currency" else "units"
    if spec.measure == "forecast_units":
        origin = latest_origin("D")
        base = forecasts_in_scope(scope=scope, granularity="D", origin=origin).filter(
            _filter_q(spec, scope)
        )
        if origin is not None:
            base = base.filter(date__gt=origin, date__lte=origin + dt.timedelta(FORECAST_DAYS))
        periods = [("Forecast", base)]
        measure = "forecast"
    else:
        base = sales_in_scope(scope).filter(_filter_q(spec, scope))
        anchor = base.aggregate(last=Max("date"))["last"]
        measure = "quantity" if spec.measure == "sales_units" else "revenue"
        periods = []
        if anchor is not None:
            start, end = resolve_period(spec.period, anchor)
            periods.append(("This period", base.filter(date__range=(start, end))))
            if spec.compare_last_year:
                ly_start, ly_end = same_days_last_year(start, end)
                periods.append(("Last year", base.filter(date__range=(ly_start, ly_end))))
    return _assemble(spec, unit, [(name, _rows(qs, spec, measure)) for name, qs in periods])


def _assemble(spec: ChartSpec, unit: str, periods: list[tuple[str, list[dict]]]) -> dict:
    """Series keyed by (member, period) along the x axis: the time buckets of the first
    period (last year's buckets line up by position), or the members when there is no time."""
    grain = spec.time_dimension
    compare = len(periods) > 1
    names: dict[str, str] = {}
    points: dict[tuple[str | None, str], dict[Any, float]] = {}
    axis: list[Any] = []
    for index, (period, rows) in enumerate(periods):
        buckets = sorted({_as_date(r["bucket"]) for r in rows}) if grain else []
        if index == 0:
            axis = buckets if grain else sorted({r["member"] for r in rows})
        for row in rows:
            member = row.get("member")
            if member is not None:
                names[member] = row["member_name"]
            if grain:
                key, position = (member, period), buckets.index(_as_date(row["bucket"]))
            else:
                key, position = (None, period), member
            points.setdefault(key, {})[position] = float(row["total"] or 0.0)
    if grain:
        labels = [_label(grain, day) for day in axis]
        positions: list[Any] = list(range(len(axis)))
    else:
        labels = [f"{code} {names.get(code, '')}".strip() for code in axis]
        positions = axis

    def series_name(member: str | None, period: str) -> str:
        if member is None:
            return period if compare or not grain else spec.measure.replace("_", " ")
        label = f"{member} {names[member]}"
        return f"{label} ({period.lower()})" if compare else label

    series = [
        {
            "name": series_name(member, period),
            "unit": unit,
            "values": [None if (v := values.get(p)) is None else round(v, 2) for p in positions],
        }
        for (member, period), values in points.items()
    ]
    for item in series:
        item["total"] = round(sum(v or 0.0 for v in item["values"]), 2)
    series.sort(key=lambda item: (-item["total"], item["name"]))
    return {
        "title": spec.title or _title(spec),
        "chart_type": spec.chart_type,
        "unit": unit,
        "labels": labels,
        "series": series[:MAX_SERIES],
    }


def _title(spec: ChartSpec) -> str:
    what = spec.measure.replace("_", " ").capitalize()
    by = " by ".join(spec.dimensions)
    suffix = ", against last year" if spec.compare_last_year else ""
    return f"{what} by {by}, {spec.period.replace('_', ' ')}{suffix}"
