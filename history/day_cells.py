"""The sales of the changed store × category cells summed per day, once per change.

Every summary of sales that follows ``sales_changed`` (the dashboards' day cells, the
forecast explorer's actuals cells) sums the same facts per store, SKU category and date.
Each used to scan and join the facts on its own, so a bulk write paid for the same
aggregation several times over. A bulk write's ``sales_changed`` now carries
``day_cells``: a temporary table holding, per store × category × date of the changed
cells, every figure those summaries read, computed in one pass. A receiver given it reads a
few thousand rows; one sent without it (a single sale saved, a SKU moving category) scans
the facts itself.

Columns: ``store_id``, ``category_id``, ``date``, ``rows`` (facts), ``unit_rows`` and
``units`` (facts with a quantity, their sum), ``value_rows`` and ``value`` (facts with
revenue, their sum), ``sold_rows`` (facts that sold: quantity > 0, or revenue > 0 without a
quantity) and ``actual`` (the sum of the quantity where known, else the revenue).

The SQL is composed from model metadata only; the store and category ids are bound
parameters (hence the S608 exemptions).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager

from django.db import connection

from history.models import SalesFact
from masterdata.models import SKU

DAY_CELLS_TABLE = "history_day_cells_changed"
SOLD_SQL = "f.quantity > 0 OR (f.quantity IS NULL AND f.revenue > 0)"


def cells_where(
    *, store_ids: Collection[int] | None, category_ids: Collection[int] | None
) -> tuple[str, str, list[int]]:
    """The WHERE clauses over the facts (``f``, joined to SKUs ``s``) and over a table keyed
    by ``store_id`` and ``category_id``, for the cells of ``store_ids`` × ``category_ids``
    (None: all of them), and their parameters (once for either clause)."""
    facts, cells, params = ["1 = 1"], ["1 = 1"], []
    for column, fact_column, ids in (
        ("store_id", "f.store_id", store_ids),
        ("category_id", "s.category_id", category_ids),
    ):
        if ids is not None:
            ids = sorted(set(ids))
            marks = ", ".join(["%s"] * len(ids)) or "NULL"
            facts.append(f"{fact_column} IN ({marks})")
            cells.append(f"{column} IN ({marks})")
            params.extend(ids)
    return " AND ".join(facts), " AND ".join(cells), params


@contextmanager
def sales_day_cells(
    *, store_ids: Collection[int] | None, category_ids: Collection[int] | None = None
) -> Iterator[str]:
    """Build the day cells of ``store_ids`` × ``category_ids`` (None: all) in a temporary
    table for the block, and yield its name.

    Run it inside the transaction whose facts it sums: the table is dropped after the
    block, and with the transaction if the block fails (its DDL is transactional on
    PostgreSQL and SQLite alike), so no receiver ever reads cells of another change.
    """
    quote = connection.ops.quote_name
    where, _, params = cells_where(store_ids=store_ids, category_ids=category_ids)
    table = quote(DAY_CELLS_TABLE)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            # A day cell per store x category x date is ~100,000 groups for the demo
            # company: room to aggregate them in memory rather than spill to disk.
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {table} AS "  # noqa: S608
            "SELECT f.store_id AS store_id, s.category_id AS category_id, f.date AS date, "
            f"COUNT(*) AS {quote('rows')}, COUNT(f.quantity) AS unit_rows, "
            "SUM(f.quantity) AS units, COUNT(f.revenue) AS value_rows, "
            f"SUM(f.revenue) AS {quote('value')}, "
            f"SUM(CASE WHEN {SOLD_SQL} THEN 1 ELSE 0 END) AS sold_rows, "
            "SUM(COALESCE(f.quantity, f.revenue)) AS actual "
            f"FROM {quote(SalesFact._meta.db_table)} f "
            f"JOIN {quote(SKU._meta.db_table)} s ON s.id = f.sku_id "
            f"WHERE {where} GROUP BY f.store_id, s.category_id, f.date",
            params,
        )
    yield DAY_CELLS_TABLE
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {table}")
