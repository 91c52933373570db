"""Weekly sales charts and sales coverage over the facts, within a ``Scope``.

The live reads here serve single SKUs and the charts' JSON; the dashboards' summary tables
serve the same figures for whole scopes and share the pivot (``weekly_chart_series``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta
from typing import Any, Literal

import pandas as pd
from django.db.models import Count, Max, Min, Q, Sum

from accounts.scoping import Scope
from history.models import SalesFact
from history.selectors import sales_in_scope
from history.weeks import WeekStart, week_start_weekday
from masterdata.models import SKU, Category, Store

GroupBy = Literal["region", "category"]
Measure = Literal["units", "value"]
GROUP_BY_CHOICES: dict[str, str] = {"region": "Region", "category": "Category"}
MEASURE_CHOICES: dict[str, str] = {"units": "Units", "value": "Sales value"}
# Days with sales count only rows that sold something, not zero rows a source may carry.
SOLD = Q(quantity__gt=0) | Q(quantity__isnull=True, revenue__gt=0)


def history_coverage(
    scope: Scope, *, store: Store | None = None, sku: SKU | None = None
) -> dict[int, dict]:
    """Per store: first and last sales date, days with sales and number of store×SKU series.

    One aggregate query over the facts in scope, keyed by store id.
    """
    facts = sales_in_scope(scope)
    if store is not None:
        facts = facts.filter(store=store)
    if sku is not None:
        facts = facts.filter(sku=sku)
    rows = facts.values("store_id").annotate(
        first_date=Min("date"),
        last_date=Max("date"),
        days_with_sales=Count("date", distinct=True, filter=SOLD),
        series=Count("sku_id", distinct=True),
    )
    return {row.pop("store_id"): row for row in rows}


def default_measure(scope: Scope) -> Measure:
    """Units when any visible sales carry quantities; value for value-only sources."""
    return "units" if sales_in_scope(scope).filter(quantity__isnull=False).exists() else "value"


def _category_groups() -> dict[int, str]:
    """Each category id mapped to the name of the branch it belongs to.

    The branch is the top-level category, or the second level when the tree has one root
    (a lone "All products" root would put everything in one line).
    """
    rows = list(Category.objects.values_list("id", "parent_id", "name"))
    parents = {cid: parent for cid, parent, _ in rows}
    names = {cid: name for cid, _, name in rows}
    roots = [cid for cid, parent in parents.items() if parent is None]
    depth = 1 if len(roots) == 1 else 0

    def branch(cid: int) -> int:
        path = [cid]
        while parents.get(path[-1]) is not None:
            path.append(parents[path[-1]])
        path.reverse()
        return path[min(depth, len(path) - 1)]

    return {cid: names[branch(cid)] for cid in parents}


def _complete_weeks(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop a partial first or last week, which would read as a sudden drop in sales.

    A week is partial when it has fewer dates than the fullest week (7 for daily sources,
    1 for weekly ones).
    """
    if frame.empty:
        return frame
    days = frame.groupby("week")["days"].max().sort_index()
    partial = {week for week in (days.index[0], days.index[-1]) if days[week] < days.max()}
    return frame[~frame["week"].isin(partial)]


def weekly_chart_series(
    rows: Iterable[tuple], *, group_by: GroupBy, measure: Measure
) -> dict[str, Any]:
    """Pivot weekly totals into one series per region or category branch for Plotly.

    ``rows`` are ``(week, group, total, days)``: the week's first day, the region name or
    the category id, the week's total and its number of dates with that measure. Shared by
    the live reads here and the summary-table reads of the dashboards. Weeks are labelled
    by their last day, the retailer's week end date.
    """
    frame = _complete_weeks(
        pd.DataFrame.from_records(list(rows), columns=["week", "group", "total", "days"])
    )
    if frame.empty:
        return {"group_by": group_by, "measure": measure, "weeks": [], "series": []}
    if group_by == "category":
        frame["group"] = frame["group"].map(_category_groups())
    week_end = pd.to_datetime(frame["week"]) + pd.Timedelta(days=6)
    frame["week"] = week_end.dt.strftime("%Y-%m-%d")
    table = frame.pivot_table(index="week", columns="group", values="total", aggfunc="sum")
    table = table.sort_index()
    return {
        "group_by": group_by,
        "measure": measure,
        "weeks": table.index.tolist(),
        "series": [
            {
                "name": str(name),
                "values": [None if pd.isna(v) else round(float(v), 2) for v in table[name]],
            }
            for name in sorted(table.columns, key=str)
        ],
    }


def weekly_sales(
    scope: Scope,
    *,
    group_by: GroupBy = "region",
    measure: Measure = "units",
    store: Store | None = None,
    sku: SKU | None = None,
) -> dict:
    """Weekly sales per region or category branch, ready for a Plotly line chart.

    One aggregate query buckets dates into the company's weeks in the database
    (``history.weeks.WeekStart``); pandas then pivots the rows into one series per group.
    """
    facts = sales_in_scope(scope)
    if store is not None:
        facts = facts.filter(store=store)
    if sku is not None:
        facts = facts.filter(sku=sku)
    key = "store__region__name" if group_by == "region" else "sku__category_id"
    column = "quantity" if measure == "units" else "revenue"
    rows = (
        facts.filter(**{f"{column}__isnull": False})
        .annotate(week=WeekStart("date", first_weekday=week_start_weekday()))
        .values("week", key)
        .annotate(total=Sum(column), days=Count("date", distinct=True))
        .values_list("week", key, "total", "days")
        .order_by()
    )
    return weekly_chart_series(rows, group_by=group_by, measure=measure)


def chart_options(
    query: Mapping[str, str], *, default_measure: Callable[[], Measure], default_group: str
) -> dict[str, str]:
    """The chart's grouping and measure from a query string, falling back to defaults
    (``default_measure`` is called only when the query names none, as it reads the data)."""
    group_by = query.get("by")
    measure = query.get("measure")
    return {
        "group_by": group_by if group_by in GROUP_BY_CHOICES else default_group,
        "measure": measure if measure in MEASURE_CHOICES else default_measure(),
    }


def chart_context(chart: dict, *, group_by: str, measure: str) -> dict:
    """Everything the ``masterdata/_weekly_chart.html`` partial needs around ``chart``."""
    return {
        "chart": chart,
        "chart_options": {"group_by": group_by, "measure": measure},
        "group_by_choices": GROUP_BY_CHOICES,
        "measure_choices": MEASURE_CHOICES,
    }


def weekly_chart(
    scope: Scope,
    *,
    group_by: GroupBy = "region",
    measure: Measure = "units",
    store: Store | None = None,
    sku: SKU | None = None,
) -> dict:
    """Everything the ``masterdata/_weekly_chart.html`` partial needs, for any page."""
    chart = weekly_sales(scope, group_by=group_by, measure=measure, store=store, sku=sku)
    return chart_context(chart, group_by=group_by, measure=measure)


def series_sales_by_week(week_ends: list[date]) -> pd.DataFrame:
    """Units sold per store × SKU in the company weeks ending on ``week_ends`` (columns
    ``store_id``, ``sku_id``, ``week`` = the week's last day, ``units``), one query."""
    columns = ["store_id", "sku_id", "week", "units"]
    if not week_ends:
        return pd.DataFrame(columns=columns)
    starts = [end - timedelta(days=6) for end in week_ends]
    rows = (
        SalesFact.objects.filter(date__gte=min(starts), date__lte=max(week_ends))
        .annotate(start=WeekStart("date", first_weekday=week_start_weekday()))
        .filter(start__in=starts)
        .values("store_id", "sku_id", "start")
        .annotate(units=Sum("quantity"))
        .values_list("store_id", "sku_id", "start", "units")
    )
    frame = pd.DataFrame(list(rows), columns=["store_id", "sku_id", "start", "units"])
    frame["week"] = [start + timedelta(days=6) for start in frame["start"]]
    return frame[columns]
