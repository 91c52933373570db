"""Benchmark: import the Walmart data set (421,570 weekly rows) and import it again.

Runs against the database server of ``DATABASE_URL`` (PostgreSQL is the case that matters),
in a throwaway database created and dropped by the benchmark, so it never touches real data.
Needs ``../shared/data/walmart``. Prints rows, seconds, rows/s and the peak RSS.
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "walmart"


def main() -> int:
    if not DATA.is_dir():
        print(f"skipped: {DATA} is absent")
        return 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sop_site.settings.base")
    os.environ.setdefault("SOP_JOBS_MODE", "eager")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from imports.services import import_files

    database = settings.DATABASES["default"]
    database.setdefault("TEST", {})["NAME"] = f"{database['NAME']}_benchmark_imports"
    if connection.vendor == "sqlite":
        database["TEST"]["NAME"] = "/tmp/benchmark_imports.sqlite3"  # noqa: S108
    original = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        for label in ("first import", "re-import"):
            start = time.perf_counter()
            report = import_files(fmt="walmart", paths=[DATA])
            seconds = time.perf_counter() - start
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"{label} on {connection.vendor}: {report.rows_read:,} rows read, "
                f"{report.rows_written:,} written in {seconds:.1f} s "
                f"({report.rows_read / seconds:,.0f} rows/s), peak RSS {peak_mb:,.0f} MB"
            )
            if report.errors:
                print(f"unexpected errors: {report.errors[:5]}")
                return 1
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)
    return 0
