"""Bulk upserts of fact frames and bulk reads back into frames.

Facts arrive by the hundred thousand, so they are never written a query per row: on
PostgreSQL a frame is streamed with ``COPY`` into a temporary table and merged with one
``INSERT ... ON CONFLICT DO UPDATE``; on SQLite one ``executemany`` of the same upsert runs
per batch. Rows whose values are unchanged are not touched, so re-importing a file changes
nothing and the count returned is the number of rows inserted or changed.

SQL is composed here from model metadata only (table and column names quoted by the
backend, conflict keys written by the callers); every value travels as a bound parameter or
through COPY, never in the SQL text — hence the S608 exemptions below.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from django.db import connection, models

SQLITE_BATCH_ROWS = 20_000


@dataclass(frozen=True)
class UpsertTarget:
    """Where a frame goes: the model, its conflict key (columns or SQL expressions) and,
    for partial unique indexes, the index predicate."""

    model: type[models.Model]
    conflict_key: Sequence[str]
    conflict_where: str = ""


def upsert_frame(target: UpsertTarget, frame: pd.DataFrame) -> int:
    """Insert or update every row of ``frame`` (columns named as DB columns) in ``target``.

    Returns the number of rows inserted or changed. Run it inside the caller's transaction
    so that a whole import is all-or-nothing.
    """
    if frame.empty:
        return 0
    table = target.model._meta.db_table
    sort_key = [c for c in target.conflict_key if c in frame.columns]
    if sort_key:
        # Rows in index order append to the unique index's B-tree instead of splitting pages
        # all over it: several times faster for large loads.
        frame = frame.sort_values(sort_key, kind="stable")
    columns = list(frame.columns)
    quoted = [connection.ops.quote_name(c) for c in columns]
    key_columns = {c for c in target.conflict_key if c in columns}
    updatable = [c for c in columns if c not in key_columns]
    conflict = ", ".join(target.conflict_key)
    where_index = f" WHERE {target.conflict_where}" if target.conflict_where else ""
    if updatable:
        assignments = ", ".join(
            f"{connection.ops.quote_name(c)} = excluded.{connection.ops.quote_name(c)}"
            for c in updatable
        )
        changed = _changed_predicate(table, updatable)
        action = f"DO UPDATE SET {assignments} WHERE {changed}"
    else:
        action = "DO NOTHING"
    if connection.vendor == "postgresql":
        return _upsert_postgresql(table, frame, quoted, conflict, where_index, action)
    insert = (
        f"INSERT INTO {table} ({', '.join(quoted)}) VALUES"  # noqa: S608
        f" ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({conflict}){where_index} {action}"
    )
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(frame), SQLITE_BATCH_ROWS):
            rows = _python_rows(frame.iloc[start : start + SQLITE_BATCH_ROWS])
            cursor.executemany(insert, rows)
            written += max(cursor.rowcount, 0)
    return written


def _changed_predicate(table: str, columns: Sequence[str]) -> str:
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        old = ", ".join(f"{table}.{quote(c)}" for c in columns)
        new = ", ".join(f"excluded.{quote(c)}" for c in columns)
        return f"ROW({old}) IS DISTINCT FROM ROW({new})"
    return " OR ".join(f"{table}.{quote(c)} IS NOT excluded.{quote(c)}" for c in columns)


def _upsert_postgresql(
    table: str, frame: pd.DataFrame, quoted: list[str], conflict: str, where_index: str, action: str
) -> int:
    staging = f"staging_{table}"
    column_list = ", ".join(quoted)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {staging}")
        cursor.execute(
            f"CREATE TEMP TABLE {staging} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {column_list} FROM {table} WITH NO DATA"
        )
        raw = cursor.cursor
        # An explicit NULL marker: in CSV COPY an unquoted empty field is NULL, which would turn
        # empty strings (blank NOT NULL text columns) into NULLs.
        copy_sql = f"COPY {staging} ({column_list}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
        with raw.copy(copy_sql) as copy:
            for start in range(0, len(frame), 200_000):
                buffer = io.StringIO()
                frame.iloc[start : start + 200_000].to_csv(
                    buffer, header=False, index=False, na_rep="\\N"
                )
                copy.write(buffer.getvalue())
        cursor.execute(
            f"INSERT INTO {table} ({column_list}) SELECT {column_list} FROM {staging} "  # noqa: S608
            f"ON CONFLICT ({conflict}){where_index} {action}"
        )
        written = cursor.rowcount
        cursor.execute(f"DROP TABLE {staging}")
    return written


def _python_rows(frame: pd.DataFrame) -> list[tuple]:
    """Rows as plain Python values (None for missing) that any DB-API driver accepts.

    Column-wise and vectorised: converting value by value costs more than the inserts.
    """
    columns = []
    for name in frame.columns:
        series = frame[name]
        if pd.api.types.is_datetime64_any_dtype(series):
            text = series.dt.strftime("%Y-%m-%d")
            values = text.where(series.notna(), None).tolist()
        elif series.hasnans or pd.api.types.is_extension_array_dtype(series):
            values = series.astype(object).where(series.notna(), None).tolist()
        else:
            values = series.tolist()
        columns.append(values)
    return list(zip(*columns, strict=True))


def frame_from_query(
    sql: str, params: Sequence = (), columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """Run ``sql`` and return the rows as a DataFrame (one round trip, no model instances)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = list(columns) if columns else [d[0] for d in cursor.description]
        return pd.DataFrame.from_records(cursor.fetchall(), columns=names)


def frame_from_copy(sql: str, params: Sequence, columns: Sequence[str]) -> pd.DataFrame:
    """Like :func:`frame_from_query`, streamed as CSV through ``COPY ... TO STDOUT`` on
    PostgreSQL: for millions of rows several times faster and lighter than building a Python
    tuple per row. Values arrive as CSV text parsed by pandas (booleans as ``t``/``f``), so
    callers convert the columns they need; other databases fall back to a plain query.
    """
    if connection.vendor != "postgresql":
        return frame_from_query(sql, params, columns)
    buffer = io.BytesIO()
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"
    with connection.cursor() as cursor, cursor.cursor.copy(statement, params) as copy:
        for block in copy:
            buffer.write(block)
    buffer.seek(0)
    if not buffer.getbuffer().nbytes:
        return pd.DataFrame(columns=list(columns))
    return pd.read_csv(buffer, header=None, names=list(columns))
