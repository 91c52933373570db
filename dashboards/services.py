"""Refreshing the summary tables from the sales facts, in set-based statements.

Each refresh deletes the cells it covers and rebuilds them with one ``INSERT … SELECT …
GROUP BY`` per table, inside the caller's transaction, so pages never see a half-written
summary and an import that rolls back takes its refresh with it. The SQL is plain enough for
PostgreSQL and SQLite alike.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db import connection, transaction

from dashboards.models import DailySales, SeriesCoverage
from history.models import SalesFact
from masterdata.models import SKU

_SOLD = "f.quantity > 0 OR (f.quantity IS NULL AND f.revenue > 0)"
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
_COVERAGE_COLUMNS = ("store_id", "category_id", "series", "first_date", "last_date")


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _columns(*names: str) -> str:
    return ", ".join(connection.ops.quote_name(name) for name in names)


def _cells(
    *, store_ids: Collection[int] | None, category_ids: Collection[int] | None
) -> tuple[str, str, list[int]]:
    """The WHERE clauses over the facts and over a summary table for the cells to rebuild."""
    facts, summary, params = ["1 = 1"], ["1 = 1"], []
    for column, fact_column, ids in (
        ("store_id", "f.store_id", store_ids),
        ("category_id", "s.category_id", category_ids),
    ):
        if ids is not None:
            marks = ", ".join(["%s"] * len(ids)) or "NULL"
            facts.append(f"{fact_column} IN ({marks})")
            summary.append(f"{column} IN ({marks})")
            params.extend(ids)
    return " AND ".join(facts), " AND ".join(summary), params


@transaction.atomic
def sales_summaries_refresh(
    *, store_ids: Collection[int] | None = None, category_ids: Collection[int] | None = None
) -> int:
    """Rebuild the summary cells of ``store_ids`` × ``category_ids`` (None: all of them).

    Returns the number of day cells written.
    """
    store_ids = None if store_ids is None else sorted(set(store_ids))
    category_ids = None if category_ids is None else sorted(set(category_ids))
    where_facts, where_summary, params = _cells(store_ids=store_ids, category_ids=category_ids)
    facts = f"{_table(SalesFact)} f JOIN {_table(SKU)} s ON s.id = f.sku_id"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A day cell per store x category x date is ~100,000 groups for the demo
            # company: room to aggregate them in memory rather than spill to disk.
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(f"DELETE FROM {_table(DailySales)} WHERE {where_summary}", params)  # noqa: S608
        cursor.execute(
            f"INSERT INTO {_table(DailySales)} "  # noqa: S608
            f"({_columns(*_DAILY_COLUMNS)}) "
            "SELECT f.store_id, s.category_id, f.date, COUNT(*), COUNT(f.quantity), "
            "SUM(f.quantity), COUNT(f.revenue), SUM(f.revenue), "
            f"SUM(CASE WHEN {_SOLD} THEN 1 ELSE 0 END) "
            f"FROM {facts} WHERE {where_facts} GROUP BY f.store_id, s.category_id, f.date",
            params,
        )
        written = cursor.rowcount
        cursor.execute(f"DELETE FROM {_table(SeriesCoverage)} WHERE {where_summary}", params)  # noqa: S608
        # Series first (one group per store x SKU), then per category: a hash aggregate
        # where COUNT(DISTINCT sku_id) over the facts would sort all of them.
        cursor.execute(
            f"INSERT INTO {_table(SeriesCoverage)} ({_columns(*_COVERAGE_COLUMNS)}) "  # noqa: S608
            "SELECT f.store_id, s.category_id, COUNT(*), MIN(f.first_date), MAX(f.last_date) "
            "FROM (SELECT store_id, sku_id, MIN(date) AS first_date, MAX(date) AS last_date "
            f"FROM {_table(SalesFact)} GROUP BY store_id, sku_id) f "
            f"JOIN {_table(SKU)} s ON s.id = f.sku_id WHERE {where_facts} "
            "GROUP BY f.store_id, s.category_id",
            params,
        )
    return written
