"""Benchmark: the whole forecast pipeline — read history, backtest, select, forecast, write.

Two workloads, each in a throwaway database on the server of ``DATABASE_URL`` (PostgreSQL is
the case that matters; created and dropped by the benchmark):

* ``walmart``: ../shared/data/walmart imported, then a weekly forecast (3,331 series,
  horizon 13, 4 backtest windows);
* ``m5``: a demo company at M5 scale (10 stores × 3,000 SKUs = 30,000 daily series, 3 years),
  then a daily forecast (horizon 28, 3 windows).

Loading is timed separately. With ``REDIS_URL`` set (and PostgreSQL), the forecast runs as
the product scales out: on a real Celery worker with ``BENCH_WORKERS`` processes (default: one
per core), measured from outside — wall time from enqueue to finish, CPU and peak resident
memory summed over the worker's processes. Without Redis it runs in-process and the job's own
measurements are printed. Choose workloads with ``BENCH_FORECAST=walmart,m5``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from benchmarks._throwaway import django_setup, throwaway_database

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _clear() -> None:
    from forecasting.models import ForecastRun
    from history.models import SalesFact
    from masterdata.models import SKU, Store

    ForecastRun.objects.all().delete()
    SalesFact.objects.all().delete()
    Store.objects.all().delete()
    SKU.objects.all().delete()


def _forecast(granularity: str, horizon: int, windows: int) -> None:
    """Run one forecast job: on a real Celery worker with ``BENCH_WORKERS`` processes when
    Redis and PostgreSQL are configured (the product's scale-out path), else in-process."""
    from django.conf import settings
    from django.db import connection

    workers = int(os.environ.get("BENCH_WORKERS", os.cpu_count() or 1))
    if settings.REDIS_URL and connection.vendor == "postgresql":
        _forecast_on_worker(granularity, horizon, windows, workers)
        return
    from forecasting.job_params import ForecastParams
    from jobs.services import job_create, job_run

    params = ForecastParams(
        granularity=granularity, horizon=horizon, windows=windows, company_wide=True
    )
    job = job_run(job_id=job_create(kind="forecast", user=None, params=params).pk)
    if job.status != "succeeded":
        raise SystemExit(f"forecast failed: {job.error}")
    series = job.result["series"]
    print(
        f"  pipeline (in-process): {series:,} series in {job.wall_seconds:.1f} s wall "
        f"({series / job.wall_seconds:,.1f} series/s), CPU {job.cpu_seconds:.1f} s, "
        f"peak memory {job.peak_memory_mb:,.0f} MB above the process baseline"
    )
    _print_result(job)


def _forecast_on_worker(granularity: str, horizon: int, windows: int, workers: int) -> None:
    import tempfile

    from django.db import connection

    from benchmarks._worker_pool import WorkerPool
    from forecasting.job_params import ForecastParams
    from jobs.models import FINISHED_STATUSES, JobRun, JobStatus
    from jobs.services import job_start

    log = Path(tempfile.gettempdir()) / "benchmark_forecast_worker.log"
    with WorkerPool(connection.settings_dict, workers, log) as pool:
        start = time.perf_counter()
        params = ForecastParams(
            granularity=granularity, horizon=horizon, windows=windows, company_wide=True
        )
        job = job_start(kind="forecast", params=params, actor=None)
        while job.status not in FINISHED_STATUSES:
            if pool.process.poll() is not None:
                raise SystemExit(f"the worker exited; see {log}")
            time.sleep(0.5)
            job = JobRun.objects.get(pk=job.pk)
        wall = time.perf_counter() - start
    if job.status != JobStatus.SUCCEEDED:
        raise SystemExit(f"forecast failed: {job.error}")
    series = job.result["series"]
    sample = pool.sample
    print(
        f"  pipeline on a Celery worker with {workers} processes: {series:,} series in "
        f"{wall:.1f} s wall ({series / wall:,.1f} series/s), CPU {sample.busy_cpu_seconds:.1f} s, "
        f"peak memory {sample.peak_rss_mb:,.0f} MB resident for the whole worker "
        f"({sample.idle_rss_mb:,.0f} MB idle)"
    )
    _print_result(job)


def _print_result(job) -> None:
    backtest = job.result.get("backtest") or {}
    if backtest.get("wape") is not None:
        print(
            f"  backtest of the selection: WAPE {backtest['wape']:.3f}, "
            f"bias {backtest['bias']:+.3f}"
        )
    print(f"  models chosen: {job.result['models']}")
    seconds = job.result.get("chunk_seconds") or []
    if seconds:
        print(f"  {len(seconds)} chunks, seconds each: {', '.join(f'{s:.0f}' for s in seconds)}")


def walmart() -> None:
    from imports.services import import_files

    if not (DATA / "walmart").is_dir():
        print("  skipped: ../shared/data/walmart is absent")
        return
    start = time.perf_counter()
    import_files(fmt="walmart", paths=[DATA / "walmart"])
    print(f"  load: Walmart imported in {time.perf_counter() - start:.1f} s")
    _forecast("W", horizon=13, windows=4)


def m5() -> None:
    from demo.engine import generate_company
    from demo.services import demo_company_load

    start = time.perf_counter()
    company = generate_company(seed=5, stores=10, skus=3000, years=3)
    demo_company_load(company=company)
    del company
    seconds = time.perf_counter() - start
    print(f"  load: 30,000-series demo company generated and loaded in {seconds:.1f} s")
    _forecast("D", horizon=28, windows=3)


def main() -> int:
    django_setup()
    chosen = os.environ.get("BENCH_FORECAST", "walmart,m5").split(",")
    with throwaway_database("forecast"):
        for name, workload in (("walmart", walmart), ("m5", m5)):
            if name in chosen:
                print(f"forecast pipeline: {name}")
                _clear()
                workload()
    return 0
