"""Benchmark: import the Walmart data set (421,570 weekly rows) into an empty database, side by
side with a raw ``COPY`` of the same ``train.csv`` into a plain table, several rounds; then
import it again, which must write nothing.

Runs against the database server of ``DATABASE_URL`` (PostgreSQL is the case that matters),
in throwaway databases created and dropped by the benchmark, so it never touches real data.
Needs ``../shared/data/walmart`` (or the folder ``BENCH_WALMART_DATA`` names).

The import is ``manage.py import_data --format walmart`` run in this process, so its time is
the command's wall time less Python's and Django's start-up. Every round starts from a fresh
copy of the migrated, empty database (a first import, each time), and right before it times
three raw COPYs of ``train.csv`` into a plain table, each as ``psql``'s ``\\copy`` would run
it: one statement in its own transaction, its commit included. A round's ratio is its import
over its best COPY, so that both meet the same load of a shared machine; the benchmark prints
each round and then the best and the median ratio (``BENCH_IMPORT_ROUNDS``, default 3).
"""

from __future__ import annotations

import gzip
import io
import os
import re
import resource
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks._throwaway import django_setup, throwaway_database

DATA = Path(
    os.environ.get(
        "BENCH_WALMART_DATA",
        Path(__file__).resolve().parents[1].parent / "shared" / "data" / "walmart",
    )
)
ROUNDS = int(os.environ.get("BENCH_IMPORT_ROUNDS", "3"))
RAW_TABLE = (
    "CREATE TABLE benchmark_raw_train (store integer, dept integer, date date, "
    "weekly_sales double precision, is_holiday boolean)"
)


def _import() -> tuple[float, int]:
    """Seconds and rows written of one ``import_data`` run."""
    from django.core.management import call_command

    out = io.StringIO()
    start = time.perf_counter()
    call_command("import_data", str(DATA), "--format", "walmart", stdout=out)
    seconds = time.perf_counter() - start
    found = re.search(r"([\d,]+) rows read, ([\d,]+) rows written", out.getvalue())
    if found is None:
        raise RuntimeError(f"the import printed no report:\n{out.getvalue()}")
    return seconds, int(found.group(2).replace(",", ""))


def _raw_copy_seconds(text: bytes) -> float:
    """Best of three COPYs of the decompressed ``train.csv`` into a plain table, each in
    autocommit (the statement and its commit), the table created and dropped outside it."""
    from django.db import connection

    times = []
    with connection.cursor() as cursor:
        for _ in range(3):
            cursor.execute(RAW_TABLE)
            start = time.perf_counter()
            statement = "COPY benchmark_raw_train FROM STDIN WITH (FORMAT csv, HEADER true)"
            with cursor.cursor.copy(statement) as copy:
                copy.write(text)
            times.append(time.perf_counter() - start)
            cursor.execute("DROP TABLE benchmark_raw_train")
    return min(times)


@contextmanager
def _fresh_copy(template: str, name: str) -> Iterator[None]:
    """Point the connection at ``name``, a new copy of the database ``template`` (migrated
    and empty), and drop it after the block."""
    from django.db import connection

    quoted_template, quoted = (connection.ops.quote_name(n) for n in (template, name))
    connection.close()
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted}")
        cursor.execute(f"CREATE DATABASE {quoted} TEMPLATE {quoted_template}")
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = template
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted}")


def main() -> int:
    if not DATA.is_dir():
        print(f"skipped: {DATA} is absent")
        return 0
    django_setup()
    with throwaway_database("imports"):
        return _measure()


def _measure() -> int:
    from django.db import connection

    train = gzip.decompress((DATA / "train.csv.gz").read_bytes())
    rows = train.count(b"\n") - 1
    if connection.vendor != "postgresql":
        seconds, written = _import()
        print(f"import on {connection.vendor}: {written:,} rows written in {seconds:.2f} s")
        return 0
    template = connection.settings_dict["NAME"]
    ratios, imports, copies = [], [], []
    for number in range(1, ROUNDS + 1):
        with _fresh_copy(template, f"{template}_round"):
            raw = _raw_copy_seconds(train)
            seconds, written = _import()
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"round {number}: raw COPY of train.csv ({rows:,} rows) {raw:.2f} s; first "
                f"import {written:,} rows written in {seconds:.2f} s ({rows / seconds:,.0f} "
                f"train rows/s, peak RSS {peak_mb:,.0f} MB) = {seconds / raw:.1f} x raw COPY"
            )
            ratios.append(seconds / raw)
            imports.append(seconds)
            copies.append(raw)
            if number == ROUNDS:
                again, rewritten = _import()
                print(f"re-import: {rewritten:,} rows written in {again:.2f} s")
                if rewritten:
                    print("re-import wrote rows: it must write none")
                    return 1
    print(
        f"first import over {ROUNDS} rounds: {min(imports):.2f} s best, "
        f"{statistics.median(imports):.2f} s median; raw COPY {min(copies):.2f} s best, "
        f"{statistics.median(copies):.2f} s median; first import = {min(ratios):.1f} x raw "
        f"COPY best, {statistics.median(ratios):.1f} x median"
    )
    return 0
