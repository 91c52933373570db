"""Bulk upserts of fact frames and bulk reads back into frames.

Facts arrive by the hundred thousand, so they are never written a query per row. On
PostgreSQL frames are streamed with binary ``COPY`` (``history.pgcopy``):

- into an empty fact table (a first import, the demo company), straight into the table with
  its foreign keys, unique constraints and secondary indexes set aside and put back once at
  the end: each is then built or checked in one set-based pass instead of row by row (the
  deferred foreign-key checks of ~38 M rows used to be most of a demo load). The table and
  the master tables it refers to stay locked until the transaction ends; when someone is
  reading them at that moment, the rows take the second way instead;
- otherwise into a temporary table merged with one ``INSERT ... ON CONFLICT DO UPDATE``.

On SQLite one ``executemany`` of the same upsert runs per batch. Rows whose values are
unchanged are not touched, so re-importing a file changes nothing, and the count returned is
the number of rows inserted or changed. Everything runs in the caller's transaction (in a
savepoint of its own), so a whole import stays all-or-nothing.

SQL is composed here from model metadata and the catalogue only (names quoted by the
backend, conflict keys written by the callers); every value travels as a bound parameter or
through COPY, never in the SQL text — hence the S608 exemptions below.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import OperationalError, connection, models, transaction

from history.models import (
    CalendarEvent,
    Indicator,
    InventorySnapshot,
    Promotion,
    SalesFact,
    SupplyOrder,
)
from history.pgcopy import BINARY_HEADER, BINARY_TRAILER, binary_chunks, binary_supported, text_rows

SQLITE_BATCH_ROWS = 20_000
# Below this many rows, rebuilding indexes costs more than maintaining them row by row.
FIRST_LOAD_MIN_ROWS = 10_000
# Only the history fact tables are ever rebuilt: they are loaded by one import or the demo at
# a time, while forecast tables are written by many workers at once.
FIRST_LOAD_MODELS = (SalesFact, InventorySnapshot, SupplyOrder, Promotion, CalendarEvent, Indicator)
COPY_CHUNK_ROWS = 500_000
INDEX_BUILD_MEMORY = "256MB"


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
    return upsert_frames(target, [frame], rows=len(frame))


def upsert_frames(target: UpsertTarget, frames: Iterable[pd.DataFrame], *, rows: int) -> int:
    """Like :func:`upsert_frame` for a frame streamed in chunks (all with the same columns),
    so that a load of tens of millions of rows never holds them all as one frame. ``rows``
    is their total, which chooses how they are written.
    """
    chunks = (frame for frame in frames if not frame.empty)
    first = next(chunks, None)
    if first is None:
        return 0
    chunks = itertools.chain([first], chunks)
    if connection.vendor == "postgresql":
        return _upsert_postgresql(target, list(first.columns), chunks, rows)
    return sum(_upsert_sqlite(target, frame) for frame in chunks)


def _action(target: UpsertTarget, columns: Sequence[str], table: str) -> str:
    """The ``ON CONFLICT`` clause: update only rows whose values differ."""
    quote = connection.ops.quote_name
    key_columns = {c for c in target.conflict_key if c in columns}
    updatable = [c for c in columns if c not in key_columns]
    where_index = f" WHERE {target.conflict_where}" if target.conflict_where else ""
    conflict = f"ON CONFLICT ({', '.join(target.conflict_key)}){where_index}"
    if not updatable:
        return f"{conflict} DO NOTHING"
    assignments = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in updatable)
    if connection.vendor == "postgresql":
        old = ", ".join(f"{table}.{quote(c)}" for c in updatable)
        new = ", ".join(f"excluded.{quote(c)}" for c in updatable)
        changed = f"ROW({old}) IS DISTINCT FROM ROW({new})"
    else:
        changed = " OR ".join(f"{table}.{quote(c)} IS NOT excluded.{quote(c)}" for c in updatable)
    return f"{conflict} DO UPDATE SET {assignments} WHERE {changed}"


def _upsert_sqlite(target: UpsertTarget, frame: pd.DataFrame) -> int:
    table = target.model._meta.db_table
    sort_key = [c for c in target.conflict_key if c in frame.columns]
    if sort_key:
        # Rows in index order append to the unique index's B-tree instead of splitting pages
        # all over it: several times faster for large loads.
        frame = frame.sort_values(sort_key, kind="stable")
    columns = list(frame.columns)
    quoted = [connection.ops.quote_name(c) for c in columns]
    insert = (
        f"INSERT INTO {table} ({', '.join(quoted)}) VALUES"  # noqa: S608
        f" ({', '.join(['%s'] * len(columns))}) {_action(target, columns, table)}"
    )
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(frame), SQLITE_BATCH_ROWS):
            rows = _python_rows(frame.iloc[start : start + SQLITE_BATCH_ROWS])
            cursor.executemany(insert, rows)
            written += max(cursor.rowcount, 0)
    return written


def _upsert_postgresql(
    target: UpsertTarget, columns: list[str], chunks: Iterable[pd.DataFrame], rows: int
) -> int:
    table = target.model._meta.db_table
    # Atomic even when the caller is not: constraints set aside are always put back, and
    # the temporary table lives until the end of the merge.
    with transaction.atomic(), connection.cursor() as cursor:
        types = _column_types(cursor, table, columns)
        if (
            target.model in FIRST_LOAD_MODELS
            and rows >= FIRST_LOAD_MIN_ROWS
            and _lock_if_empty(cursor, table)
        ):
            return _load_empty(cursor, table, columns, types, chunks)
        return _merge_via_staging(cursor, target, table, columns, types, chunks)


def _column_types(cursor, table: str, columns: Sequence[str]) -> list[str]:
    cursor.execute(
        "SELECT attname, typname FROM pg_attribute JOIN pg_type ON pg_type.oid = atttypid "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
        [connection.ops.quote_name(table)],
    )
    types = dict(cursor.fetchall())
    return [types[c] for c in columns]


def _lock_if_empty(cursor, table: str) -> bool:
    """Whether ``table`` is empty, and if so lock it and the tables its foreign keys name.

    The locks are taken at once and without waiting (a reader in the way means the merge
    path instead), so setting constraints aside later can neither wait nor deadlock.
    """
    quoted = connection.ops.quote_name(table)
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quoted})")  # noqa: S608
    if cursor.fetchone()[0]:
        return False
    cursor.execute(
        "SELECT DISTINCT confrelid::regclass::text FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f'",
        [quoted],
    )
    tables = [quoted, *(name for (name,) in cursor.fetchall())]
    try:
        with transaction.atomic():
            cursor.execute(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE NOWAIT")
    except OperationalError:
        return False
    # Another load may have filled the table between the look and the lock.
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quoted})")  # noqa: S608
    return not cursor.fetchone()[0]


def _load_empty(
    cursor, table: str, columns: list[str], types: list[str], chunks: Iterable[pd.DataFrame]
) -> int:
    """COPY straight into an empty table, then rebuild its indexes and check its foreign keys
    in one pass each; a duplicate key or a dangling reference fails the transaction."""
    quoted = connection.ops.quote_name(table)
    # The primary key too, unless another table's foreign key needs it; unique constraints
    # and the primary key are rebuilt first ('u', 'p', then 'f' in descending order).
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND (contype IN ('f', 'u') OR (contype = 'p' AND "
        "NOT EXISTS (SELECT 1 FROM pg_constraint r WHERE r.confrelid = %s::regclass))) "
        "ORDER BY contype DESC",
        [quoted, quoted],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
        "WHERE indrelid = %s::regclass AND NOT indisprimary AND indexrelid NOT IN "
        "(SELECT conindid FROM pg_constraint WHERE conrelid = %s::regclass)",
        [quoted, quoted],
    )
    indexes = cursor.fetchall()
    # Tables with deferred checks still pending (master rows written earlier in this
    # transaction) cannot lose a trigger: run those checks now, then defer again.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    for name, _, _ in constraints:
        cursor.execute(f"ALTER TABLE {quoted} DROP CONSTRAINT {connection.ops.quote_name(name)}")
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {name}")
    sequence = _id_sequence(cursor, quoted, columns)
    if sequence is not None:
        chunks = _with_reserved_ids(cursor, sequence, chunks)
        columns, types = ["id", *columns], ["int8", *types]
    written = _copy(cursor, quoted, columns, types, chunks)
    cursor.execute(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'")
    for name, definition, _ in constraints:
        cursor.execute(
            f"ALTER TABLE {quoted} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
        )
    for _, definition in indexes:
        cursor.execute(definition)
    cursor.execute(f"ANALYZE {quoted}")
    return written


def _id_sequence(cursor, table: str, columns: list[str]) -> str | None:
    """The sequence of ``table``'s bigint ``id`` (when the frames do not bring their own and
    it counts up by one), so that a load can take its ids in one call instead of the server
    evaluating the column default once per row (a fifth of the COPY's time)."""
    if "id" in columns:
        return None
    cursor.execute(
        "SELECT s.seqrelid::regclass::text FROM pg_sequence s JOIN pg_attribute a "
        "ON a.attrelid = %s::regclass AND a.attname = 'id' AND a.atttypid = 'int8'::regtype "
        "WHERE s.seqrelid = pg_get_serial_sequence(%s, 'id')::regclass AND s.seqincrement = 1",
        [table, table],
    )
    found = cursor.fetchone()
    return found[0] if found else None


def _with_reserved_ids(
    cursor, sequence: str, chunks: Iterable[pd.DataFrame]
) -> Iterator[pd.DataFrame]:
    """Each chunk with an ``id`` column first, its values reserved from ``sequence`` in one
    step per chunk: the next ``len(chunk)`` values, exactly as many ``nextval`` calls would
    have handed out (the table is locked, so nothing else inserts into it meanwhile)."""
    for frame in chunks:
        cursor.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [sequence, sequence, len(frame)])
        last = cursor.fetchone()[0]
        ids = np.arange(last - len(frame) + 1, last + 1, dtype=np.int64)
        yield pd.concat([pd.DataFrame({"id": ids}, index=frame.index), frame], axis=1)


def _merge_via_staging(
    cursor,
    target: UpsertTarget,
    table: str,
    columns: list[str],
    types: list[str],
    chunks: Iterable[pd.DataFrame],
) -> int:
    quoted = [connection.ops.quote_name(c) for c in columns]
    column_list = ", ".join(quoted)
    staging = f"staging_{table}"
    cursor.execute(f"DROP TABLE IF EXISTS {staging}")
    cursor.execute(
        f"CREATE TEMP TABLE {staging} ON COMMIT DROP AS "  # noqa: S608
        f"SELECT {column_list} FROM {table} WITH NO DATA"
    )
    _copy(cursor, staging, columns, types, chunks)
    # Rows in index order append to the unique index's B-tree instead of splitting pages
    # all over it: several times faster for large loads.
    sort_key = [connection.ops.quote_name(c) for c in target.conflict_key if c in columns]
    order = f" ORDER BY {', '.join(sort_key)}" if sort_key else ""
    cursor.execute(
        f"INSERT INTO {table} ({column_list}) SELECT {column_list} FROM {staging}{order} "  # noqa: S608
        f"{_action(target, columns, table)}"
    )
    written = cursor.rowcount
    cursor.execute(f"DROP TABLE {staging}")
    return written


def _copy(
    cursor, table: str, columns: list[str], types: list[str], chunks: Iterable[pd.DataFrame]
) -> int:
    """Stream ``chunks`` into ``table``, one COPY per piece of at most ``COPY_CHUNK_ROWS``:
    binary, or text when a column has a type the binary writer does not handle or text of
    too many different lengths."""
    column_list = ", ".join(connection.ops.quote_name(c) for c in columns)
    binary = binary_supported(types)
    written = 0
    for frame in chunks:
        for start in range(0, len(frame), COPY_CHUNK_ROWS):
            piece = frame.iloc[start : start + COPY_CHUNK_ROWS]
            tuples = binary_chunks(piece, types) if binary else None
            if tuples is None:
                statement = f"COPY {table} ({column_list}) FROM STDIN"
                with cursor.cursor.copy(statement) as copy:
                    copy.write(text_rows(piece))
            else:
                statement = f"COPY {table} ({column_list}) FROM STDIN WITH (FORMAT binary)"
                with cursor.cursor.copy(statement) as copy:
                    copy.write(BINARY_HEADER)
                    for block in tuples:
                        copy.write(block)
                    copy.write(BINARY_TRAILER)
            written += len(piece)
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


def statistics_refresh(*tables: type[models.Model]) -> None:
    """ANALYZE ``tables`` on PostgreSQL after a bulk write that changed a good share of them.

    Autovacuum analyses a table only some time after it changed; until then the planner
    still believes the rows just written are absent and picks plans that join every row
    before sorting (a forecast list page went from 17 ms to 230 ms that way). Sampling costs
    tens of milliseconds; SQLite needs nothing.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


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
