"""Benchmark: inventory policies for the M5-scale company (10 stores × 3,000 SKUs = 30,000
store series, plus the warehouses' series; target: under 10 minutes on 2 cores).

In the database ``<DATABASE_URL's name>_benchmark_inventory_m5`` (kept and reused with
``BENCH_KEEP_DB=1``, else dropped after): the M5-scale demo company is loaded first
(``load_demo --seed 5 --stores 10 --skus 3000 --years 3``; about 20 minutes on a busy
2-core host), then forecast daily by the product's forecast job (``forecast --granularity
daily``, horizon 28, 1 backtest window) with its candidates narrowed to its three benchmark
models (naive, seasonal naive, moving average: the cheapest forecast the engine makes, and
the fallback of every selection). Neither is part of the target and both are skipped when
the kept database has them.

Timed: ``plan_inventory --policies-only`` as the product runs it, a job of the registry that
splits the SKUs into chunks (``InventoryPlanParams.chunk_series``): read the policy inputs
of each chunk (forecasts, backtest errors, receipts, stock, recent sales), compute the
policies at each category's target, store them. With ``REDIS_URL`` set (and PostgreSQL) on
``BENCH_WORKERS`` real Celery worker processes (default 2, one per core) sharing the chunks,
measured from outside (enqueue to finish), else in this process. Prints the wall time, the
chunks and their seconds, and the load average before and after.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from benchmarks._throwaway import django_setup, throwaway_database

TARGET_SECONDS = 600.0
M5 = {"seed": 5, "stores": 10, "skus": 3000, "years": 3}


def _load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _prepare() -> None:
    from django.core.management import call_command

    from forecasting.engine import pipeline
    from forecasting.engine.models import benchmark_candidates
    from forecasting.selectors import forecast_exists
    from history.models import SalesFact

    if not SalesFact.objects.exists():
        start = time.perf_counter()
        call_command("load_demo", verbosity=0, **M5)
        print(
            f"  load_demo at M5 scale (not part of the target): {time.perf_counter() - start:.0f} s"
        )
    if forecast_exists("daily"):
        return
    start = time.perf_counter()
    narrowed = pipeline.default_candidates
    pipeline.default_candidates = lambda **_: benchmark_candidates()
    try:
        call_command("forecast", granularity="daily", horizon=28, windows=1, verbosity=0)
    finally:
        pipeline.default_candidates = narrowed
    print(
        "  daily forecast, benchmark models only (not part of the target): "
        f"{time.perf_counter() - start:.0f} s"
    )


def _plan_in_process() -> tuple[float, object]:
    from inventory.job_params import InventoryPlanParams
    from inventory.services import PLAN_KIND
    from jobs.services import job_start

    start = time.perf_counter()
    job = job_start(
        kind=PLAN_KIND, params=InventoryPlanParams(company_wide=True, solve_plan=False), actor=None
    )
    return time.perf_counter() - start, job


def _plan_on_workers(workers: int) -> tuple[float, object]:
    from django.db import connection

    from benchmarks._worker_pool import WorkerPool
    from inventory.job_params import InventoryPlanParams
    from inventory.services import PLAN_KIND
    from jobs.models import JobRun
    from jobs.services import job_start

    log = Path("/tmp") / "benchmark_inventory_m5_worker.log"  # noqa: S108
    with WorkerPool(connection.settings_dict, concurrency=workers, log_path=log):
        start = time.perf_counter()
        job = job_start(
            kind=PLAN_KIND,
            params=InventoryPlanParams(company_wide=True, solve_plan=False),
            actor=None,
        )
        seen = ""
        while not (job := JobRun.objects.get(pk=job.pk)).is_finished:
            if job.message != seen:
                seen = job.message
                print(f"    {time.perf_counter() - start:6.0f} s  {job.progress:5.1f} %  {seen}")
            time.sleep(2)
        return time.perf_counter() - start, job


def main() -> int:
    django_setup()
    keep = os.environ.get("BENCH_KEEP_DB") == "1"
    workers = int(os.environ.get("BENCH_WORKERS", "2"))
    with throwaway_database("inventory_m5", keep=keep):
        from django.conf import settings
        from django.db import connection

        _prepare()
        on_workers = bool(settings.REDIS_URL) and connection.vendor == "postgresql"
        print(f"  load average before: {_load_average()}")
        if on_workers:
            seconds, job = _plan_on_workers(workers)
            where = f"{workers} Celery worker processes"
        else:
            seconds, job = _plan_in_process()
            where = "this process"
        from inventory.models import InventoryPlanRun

        if job.status != "succeeded":
            print(f"  plan failed: {job.error}")
            return 1
        run = InventoryPlanRun.objects.get(job_id=job.pk)
        chunks = list(run.chunks.order_by("index").values_list("seconds", "series_count", "worker"))
        print(
            f"  policies for {job.result['policies']:,} series in {seconds:.1f} s on {where} "
            f"(target {TARGET_SECONDS:.0f} s); {len(chunks)} chunks of "
            f"{min(c[1] for c in chunks):,}–{max(c[1] for c in chunks):,} series, "
            f"{sum(c[0] for c in chunks):.0f} s of chunk work by "
            f"{len({c[2] for c in chunks})} worker processes"
        )
        print(f"  load average after: {_load_average()}")
        return 0 if seconds <= TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
