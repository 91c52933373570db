"""Benchmark: generate the demo company and load it into the database, then load it again.

Runs against the database server of ``DATABASE_URL`` (PostgreSQL is the case that matters),
in a throwaway database created and dropped by the benchmark. ``BENCH_DEMO`` picks the size:
``default`` (the company ``make run`` loads: 12 stores x 120 SKUs x 3 years, a quick run) or
``m5`` (10 stores x 3,000 SKUs x 3 years, about 38 million fact rows). Prints the seconds
of generation and of loading, the rows written and the peak RSS of this process. A second
load of the same company must write nothing (it runs for the default size, or with
``BENCH_DEMO_RELOAD=1``; ``BENCH_DEMO_RELOAD=0`` skips it).
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

from benchmarks._throwaway import django_setup, throwaway_database

SIZES = {
    "default": {"seed": 7, "stores": 12, "skus": 120, "years": 3},
    "m5": {"seed": 5, "stores": 10, "skus": 3000, "years": 3},
}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds(pid: int | None = None) -> float | None:
    """CPU seconds used by this process, or by ``pid`` (the database server's process for
    this connection, readable when the server runs on this machine). On a shared machine
    CPU time says more than wall time, which counts the waits for other people's work."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu_note(pid: int | None, start: tuple[float, float | None]) -> str:
    mine, server = _cpu_seconds(), _cpu_seconds(pid) if pid else None
    note = f"CPU: this process {mine - start[0]:.1f} s"
    if server is not None and start[1] is not None:
        note += f", database server process {server - start[1]:.1f} s"
    return note


def main() -> int:
    size = os.environ.get("BENCH_DEMO", "default")
    if size not in SIZES:
        print(f"unknown BENCH_DEMO={size!r}; choose one of {', '.join(SIZES)}")
        return 2
    django_setup()
    with throwaway_database("demo"):
        return _load(size)


def _load(size: str) -> int:
    from django.db import connection

    from demo.engine import generate_company
    from demo.services import demo_company_load

    params = SIZES[size]
    backend = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
    cpu_start = (_cpu_seconds(), _cpu_seconds(backend) if backend else None)
    start = time.perf_counter()
    company = generate_company(**params)
    generated = time.perf_counter() - start
    written = demo_company_load(company=company)
    total = time.perf_counter() - start
    rows = sum(written.values())
    print(
        f"demo load ({size}: {params['stores']} stores x {params['skus']} SKUs x "
        f"{params['years']} years) on {connection.vendor}: {rows:,} rows written in "
        f"{total:.1f} s (generation {generated:.1f} s, load {total - generated:.1f} s), "
        f"peak RSS {_peak_mb():,.0f} MB; {_cpu_note(backend, cpu_start)}"
    )
    if os.environ.get("BENCH_DEMO_RELOAD", "1" if size == "default" else "0") == "1":
        start = time.perf_counter()
        again = demo_company_load(company=company)
        changed = sum(v for k, v in again.items() if k != "anomaly_labels")
        print(
            f"re-load of the same company: {changed:,} rows written (must be 0) in "
            f"{time.perf_counter() - start:.1f} s, peak RSS {_peak_mb():,.0f} MB"
        )
        if changed:
            return 1
    return 0
