"""Refreshing the summary tables from the sales facts, in set-based statements.

Each refresh deletes the cells it covers and rebuilds them with one ``INSERT … SELECT …
GROUP BY`` per table, inside the caller's transaction, so pages never see a half-written
summary and an import that rolls back takes its refresh with it. The SQL is plain enough for
PostgreSQL and SQLite alike.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db import connection, transaction

from dashboards.models import DailySales, MonthlyForecast, SeriesCoverage, SkuSales, WeeklySales
from forecasting.models import Forecast, Granularity
from forecasting.selectors import latest_origin
from history.day_cells import SOLD_SQL, cells_where
from history.models import SalesFact
from history.weeks import week_start_sql, week_start_weekday
from masterdata.models import SKU

_DAILY_COLUMNS = (
    "store_id",
    "category_id",
    "date",
    "rows",
    "unit_rows",
    "units",
    "value_rows",
    "value",
    "sold_rows",
)
_WEEKLY_COLUMNS = (
    "store_id",
    "category_id",
    "week",
    "rows",
    "unit_rows",
    "units",
    "value_rows",
    "value",
    "sold_rows",
    "unit_days",
    "value_days",
    "sold_days",
)
_SKU_COLUMNS = ("store_id", "sku_id", "category_id", "units", "value", "first_date", "last_date")
_COVERAGE_COLUMNS = ("store_id", "category_id", "series", "first_date", "last_date")


def _weekday_sql() -> str:
    """A day cell's weekday, 0 for Monday to 6 for Sunday, in the database's dialect."""
    date = _columns("date")
    if connection.vendor == "postgresql":
        return f"(CAST(EXTRACT(ISODOW FROM {date}) AS INTEGER) - 1)"
    return f"((CAST(strftime('%%w', {date}) AS INTEGER) + 6) %% 7)"


def _week_sql() -> str:
    """The first day of a day cell's week, in the company's weeks (``Company.week_ends_on``)."""
    return week_start_sql(_columns("date"), connection.vendor, week_start_weekday())


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _columns(*names: str) -> str:
    return ", ".join(connection.ops.quote_name(name) for name in names)


def _weekly_cells_write(cursor, where_summary: str, params: list[int]) -> None:
    """Rebuild the week cells from the day cells (a seventh of them); a cell's weekdays are
    distinct, so summing their bits is their union."""
    bit = f"(1 << {_weekday_sql()})"
    cursor.execute(f"DELETE FROM {_table(WeeklySales)} WHERE {where_summary}", params)  # noqa: S608
    cursor.execute(
        f"INSERT INTO {_table(WeeklySales)} ({_columns(*_WEEKLY_COLUMNS)}) "  # noqa: S608
        f"SELECT store_id, category_id, {_week_sql()}, SUM({_columns('rows')}), "
        "SUM(unit_rows), SUM(units), SUM(value_rows), SUM(value), SUM(sold_rows), "
        f"SUM(CASE WHEN unit_rows > 0 THEN {bit} ELSE 0 END), "
        f"SUM(CASE WHEN value_rows > 0 THEN {bit} ELSE 0 END), "
        f"SUM(CASE WHEN sold_rows > 0 THEN {bit} ELSE 0 END) "
        f"FROM {_table(DailySales)} WHERE {where_summary} "
        f"GROUP BY store_id, category_id, {_week_sql()}",
        params,
    )


def weekly_cells_follow_calendar() -> bool:
    """Rebuild every week cell when they are not in the company's weeks (its week end
    changed); returns whether it did. One cell tells: all of them start on the same weekday."""
    first = WeeklySales.objects.values_list("week", flat=True).first()
    if first is None or first.weekday() == week_start_weekday():
        return False
    with transaction.atomic(), connection.cursor() as cursor:
        _weekly_cells_write(cursor, "1 = 1", [])
    return True


@transaction.atomic
def sales_summaries_refresh(
    *,
    store_ids: Collection[int] | None = None,
    category_ids: Collection[int] | None = None,
    day_cells: str | None = None,
) -> int:
    """Rebuild the summary cells of ``store_ids`` × ``category_ids`` (None: all of them).

    ``day_cells`` names a table of exactly those cells' sales summed per day
    (``history.day_cells``, built once after a bulk write for every summary); without it
    the facts are summed here. Returns the number of day cells written.
    """
    store_ids = None if store_ids is None else sorted(set(store_ids))
    category_ids = None if category_ids is None else sorted(set(category_ids))
    where_facts, where_summary, params = cells_where(store_ids=store_ids, category_ids=category_ids)
    facts = f"{_table(SalesFact)} f JOIN {_table(SKU)} s ON s.id = f.sku_id"
    day_columns = _columns(*_DAILY_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_table(DailySales)} WHERE {where_summary}", params)  # noqa: S608
        if day_cells is not None:
            cursor.execute(
                f"INSERT INTO {_table(DailySales)} ({day_columns}) "  # noqa: S608
                f"SELECT {day_columns} FROM {connection.ops.quote_name(day_cells)}"
            )
        else:
            if connection.vendor == "postgresql":
                # A day cell per store x category x date is ~100,000 groups for the demo
                # company: room to aggregate them in memory rather than spill to disk.
                cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute(
                f"INSERT INTO {_table(DailySales)} ({day_columns}) "  # noqa: S608
                "SELECT f.store_id, s.category_id, f.date, COUNT(*), COUNT(f.quantity), "
                "SUM(f.quantity), COUNT(f.revenue), SUM(f.revenue), "
                f"SUM(CASE WHEN {SOLD_SQL} THEN 1 ELSE 0 END) "
                f"FROM {facts} WHERE {where_facts} GROUP BY f.store_id, s.category_id, f.date",
                params,
            )
        written = cursor.rowcount
        _weekly_cells_write(cursor, where_summary, params)
        # Series (one group per store x SKU), then their coverage per category: a hash
        # aggregate where COUNT(DISTINCT sku_id) over the facts would sort all of them.
        # The facts are summed per store x SKU before the SKUs are joined for their
        # category (a function of the SKU), so a few thousand sums are joined, not every
        # fact; a category filter applies to the joined sums.
        where_stores, _, _ = cells_where(store_ids=store_ids, category_ids=None)
        where_categories, _, _ = cells_where(store_ids=None, category_ids=category_ids)
        cursor.execute(f"DELETE FROM {_table(SkuSales)} WHERE {where_summary}", params)  # noqa: S608
        cursor.execute(
            f"INSERT INTO {_table(SkuSales)} ({_columns(*_SKU_COLUMNS)}) "  # noqa: S608
            "SELECT a.store_id, a.sku_id, s.category_id, a.units, a.value, a.first_date, "
            "a.last_date FROM (SELECT f.store_id AS store_id, f.sku_id AS sku_id, "
            "SUM(f.quantity) AS units, SUM(f.revenue) AS value, MIN(f.date) AS first_date, "
            f"MAX(f.date) AS last_date FROM {_table(SalesFact)} f "
            f"WHERE {where_stores} GROUP BY f.store_id, f.sku_id) a "
            f"JOIN {_table(SKU)} s ON s.id = a.sku_id WHERE {where_categories}",
            [*(store_ids or []), *(category_ids or [])],
        )
        cursor.execute(f"DELETE FROM {_table(SeriesCoverage)} WHERE {where_summary}", params)  # noqa: S608
        cursor.execute(
            f"INSERT INTO {_table(SeriesCoverage)} ({_columns(*_COVERAGE_COLUMNS)}) "  # noqa: S608
            "SELECT store_id, category_id, COUNT(*), MIN(first_date), MAX(last_date) "
            f"FROM {_table(SkuSales)} WHERE {where_summary} GROUP BY store_id, category_id",
            params,
        )
    return written


def _month_sql(day: str) -> str:
    """The first day of the month of the date expression ``day``."""
    if connection.vendor == "postgresql":
        return f"CAST(DATE_TRUNC('month', CAST({day} AS TIMESTAMP)) AS DATE)"
    return f"date({day}, 'start of month')"


def _days_before_sql(date: str, days: str) -> str:
    """The date ``days`` (an integer expression) before the date expression ``date``."""
    if connection.vendor == "postgresql":
        return f"({date} - {days})"
    return f"date({date}, '-' || {days} || ' days')"


@transaction.atomic
def monthly_forecast_refresh(granularity: str) -> int:
    """Rebuild the monthly sums of the latest forecast of ``granularity``; returns the rows.

    A weekly forecast is dated by its week's last day: each of the seven days ending there
    gets a seventh of it (a cross join with the offsets 0-6), so a week spanning two months
    counts in both by its days.
    """
    origin = latest_origin(granularity)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {_table(MonthlyForecast)} WHERE granularity = %s",  # noqa: S608
            [granularity],
        )
        if origin is None:
            return 0
        if granularity == Granularity.WEEKLY:
            offsets = " UNION ALL ".join(f"SELECT {k} AS k" for k in range(7))
            source = f"{_table(Forecast)} f CROSS JOIN ({offsets}) o"
            day, share = _days_before_sql("f.date", "o.k"), "f.forecast / 7.0"
        else:
            source, day, share = f"{_table(Forecast)} f", "f.date", "f.forecast"
        month = _month_sql(day)
        cursor.execute(
            f"INSERT INTO {_table(MonthlyForecast)} "  # noqa: S608
            f"({_columns('store_id', 'sku_id', 'granularity', 'origin', 'month')}, "
            f"{_columns('forecast', 'days')}) "
            f"SELECT f.store_id, f.sku_id, f.granularity, f.origin, {month}, SUM({share}), "
            f"COUNT(*) FROM {source} WHERE f.granularity = %s AND f.origin = %s "
            f"GROUP BY f.store_id, f.sku_id, f.granularity, f.origin, {month}",
            [granularity, origin],
        )
        return cursor.rowcount
