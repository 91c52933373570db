"""Benchmark: import the Walmart data set (421,570 weekly rows), import it again, and time a
raw ``COPY`` of the same ``train.csv`` into a plain table beside it.

Runs against the database server of ``DATABASE_URL`` (PostgreSQL is the case that matters),
in a throwaway database created and dropped by the benchmark, so it never touches real data.
Needs ``../shared/data/walmart`` (or the folder ``BENCH_WALMART_DATA`` names). The import is
``manage.py import_data --format walmart`` run in this process, so its time is the command's
wall time less Python's and Django's start-up. Prints rows, seconds, rows/s and the peak RSS
of each import, the best of three raw COPYs, and the first import's time as a multiple of
the raw COPY's.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import resource
import time
from pathlib import Path

from benchmarks._throwaway import django_setup, throwaway_database

DATA = Path(
    os.environ.get(
        "BENCH_WALMART_DATA",
        Path(__file__).resolve().parents[1].parent / "shared" / "data" / "walmart",
    )
)
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
    """Best of three COPYs of the decompressed ``train.csv`` into a plain table."""
    from django.db import connection, transaction

    times = []
    for _ in range(3):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(RAW_TABLE)
            start = time.perf_counter()
            statement = "COPY benchmark_raw_train FROM STDIN WITH (FORMAT csv, HEADER true)"
            with cursor.cursor.copy(statement) as copy:
                copy.write(text)
            times.append(time.perf_counter() - start)
            cursor.execute("DROP TABLE benchmark_raw_train")
    return min(times)


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
    timings = {}
    for label in ("first import", "re-import"):
        seconds, written = _import()
        timings[label] = seconds
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{label} on {connection.vendor}: {written:,} rows written in {seconds:.2f} s "
            f"({rows / seconds:,.0f} train rows/s), peak RSS {peak_mb:,.0f} MB"
        )
        if label == "re-import" and written:
            print("re-import wrote rows: it must write none")
            return 1
    if connection.vendor == "postgresql":
        raw = _raw_copy_seconds(train)
        print(
            f"raw COPY of train.csv ({rows:,} rows) into a plain table: {raw:.2f} s; "
            f"first import = {timings['first import'] / raw:.1f} x raw COPY"
        )
    return 0
