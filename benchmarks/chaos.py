"""Benchmark: jobs survive workers killed with SIGKILL mid-run, with identical results.

In a throwaway database on the server of ``DATABASE_URL`` (PostgreSQL) and the Redis of
``REDIS_URL``, a small demo company is loaded; then each job of the list (forecasts and
imports) runs twice on real Celery workers (prefork, ``CHAOS_CONCURRENCY`` processes, a
queue of its own) with ``celery beat`` running the reaper:

1. undisturbed: its written rows are hashed and its wall time recorded;
2. disturbed: half-way through (by the undisturbed time) a worker process is killed with
   SIGKILL — the pool process running the job, or the whole worker (main process and its
   children), alternately; a replacement worker is started when the whole worker died.
   The job must complete by itself, and its rows must hash the same.

Printed per job: completed or not, identical or not, undisturbed and disturbed wall time,
recovery time (the extra wall time), then ``N of M jobs completed with identical results``.
Target: all of them, each within its undisturbed time plus 3 minutes. Choose how many jobs
with ``CHAOS_JOBS`` (default all 10), or name them in ``CHAOS_ONLY`` (comma-separated).
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import psutil

from benchmarks._throwaway import django_setup, throwaway_database

REPO = Path(__file__).resolve().parents[1]
DATA = next(
    (
        p
        for p in (REPO.parent / "shared" / "data", REPO.parents[1] / "shared" / "data")
        if p.is_dir()
    ),
    REPO.parent / "shared" / "data",
)
READY_TIMEOUT_S = 180
JOB_TIMEOUT_S = 1800
ALLOWED_EXTRA_S = 180
KILL_AT_PERCENT = {"forecast": 0, "import": 45}
FORECAST_KILL_SHARE = 0.6


@dataclass(frozen=True)
class ChaosJob:
    name: str
    kind: str  # "forecast" or "import"
    params: dict
    kill: str  # "child" or "worker"


def _jobs(north_store_ids: list[int]) -> list[ChaosJob]:
    forecast = {"windows": 2, "company_wide": True, "chunk_series": 40}
    scoped = {"windows": 2, "store_ids": north_store_ids, "chunk_series": 40, "granularity": "D"}
    walmart = {"format": "walmart", "paths": [str(DATA / "walmart")], "create_missing": True}
    ai_sop = {"format": "ai-sop", "paths": [str(DATA / "ai-sop")], "create_missing": True}
    daily, weekly = {**forecast, "granularity": "D"}, {**forecast, "granularity": "W"}
    kept = {**daily, "reselect": False}
    return [
        ChaosJob("forecast D h28", "forecast", {**daily, "horizon": 28}, "child"),
        ChaosJob("forecast W h13", "forecast", {**weekly, "horizon": 13}, "worker"),
        ChaosJob("forecast D h14 kept", "forecast", {**kept, "horizon": 14}, "child"),
        ChaosJob("forecast W h8 w3", "forecast", {**weekly, "horizon": 8, "windows": 3}, "worker"),
        ChaosJob("forecast D h28 NORTH", "forecast", {**scoped, "horizon": 28}, "child"),
        ChaosJob("import walmart", "import", walmart, "worker"),
        ChaosJob("import ai-sop", "import", ai_sop, "child"),
        ChaosJob("import walmart again", "import", walmart, "child"),
        ChaosJob("import ai-sop again", "import", ai_sop, "worker"),
        ChaosJob("import walmart third", "import", walmart, "worker"),
    ]  # fmt: skip


class Celery:
    """The worker and beat processes of the benchmark, on a private queue."""

    def __init__(self, env: dict, concurrency: int, logs: Path) -> None:
        self.env, self.concurrency, self.logs = env, concurrency, logs
        self.workers: list[subprocess.Popen] = []
        self.beat: subprocess.Popen | None = None

    def _command(self, *args: str) -> list[str]:
        return [str(Path(sys.executable).with_name("celery")), "-A", "sop_site", *args]

    def start_worker(self) -> subprocess.Popen:
        n = len(self.workers)
        name = f"chaos{n}-{uuid.uuid4().hex[:6]}@%h"
        log = self.logs / f"worker{n}.log"
        command = self._command(
            "worker", "--pool", "prefork", "--concurrency", str(self.concurrency),
            "-Q", self.env["CELERY_TASK_DEFAULT_QUEUE"], "-n", name,
            "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO",
        )  # fmt: skip
        process = subprocess.Popen(
            command, env=self.env, cwd=REPO, stdout=log.open("wb"), stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + READY_TIMEOUT_S
        while b" ready." not in log.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"a Celery worker did not start; see {log}")
            time.sleep(0.2)
        self.workers.append(process)
        return process

    def start_beat(self) -> None:
        log = self.logs / "beat.log"
        command = self._command(
            "beat", "--scheduler", "celery.beat:PersistentScheduler",
            "-s", str(self.logs / "beat-schedule"), "--loglevel", "INFO",
        )  # fmt: skip
        self.beat = subprocess.Popen(
            command, env=self.env, cwd=REPO, stdout=log.open("wb"), stderr=subprocess.STDOUT
        )

    def kill(self, how: str, job_worker: str) -> str:
        """SIGKILL the pool process running the job, or its whole worker; say what died."""
        pid = int(job_worker.rpartition(":")[2])
        if how == "child":
            os.kill(pid, signal.SIGKILL)
            return f"pool process {pid}"
        main = psutil.Process(pid).parent()
        victims = [main, *main.children(recursive=True)]
        for process in victims:
            try:
                process.send_signal(signal.SIGKILL)
            except psutil.Error:
                continue
        for worker in self.workers:
            if worker.pid == main.pid:
                worker.wait(timeout=30)
        return f"worker {main.pid} and its {len(victims) - 1} processes"

    def alive(self) -> bool:
        return any(w.poll() is None for w in self.workers)

    def stop(self) -> None:
        for process in [*self.workers, self.beat]:
            if process is not None and process.poll() is None:
                process.terminate()
        for process in [*self.workers, self.beat]:
            if process is None:
                continue
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _rows_hash(kind: str, params: dict) -> str:
    """A hash of what a job wrote: a forecast's forecasts and selection, an import's facts."""
    from forecasting.models import Forecast, SeriesModel
    from history.models import SalesFact

    digest = hashlib.sha256()
    if kind == "forecast":
        grain = params["granularity"]
        rows = Forecast.objects.filter(granularity=grain).order_by(
            "store__code", "sku__code", "origin", "date"
        )
        for row in rows.values_list(
            "store__code", "sku__code", "origin", "date", "forecast", "p10", "p50", "p90", "model"
        ).iterator(chunk_size=20_000):
            digest.update(repr(_rounded(row)).encode())
        for row in (
            SeriesModel.objects.filter(granularity=grain)
            .order_by("store__code", "sku__code")
            .values_list("store__code", "sku__code", "model", "blend")
        ):
            digest.update(repr(row).encode())
    else:
        rows = SalesFact.objects.order_by("store__code", "sku__code", "date", "grain")
        for row in rows.values_list(
            "store__code", "sku__code", "date", "grain", "quantity", "revenue", "price"
        ).iterator(chunk_size=20_000):
            digest.update(repr(_rounded(row)).encode())
    return digest.hexdigest()[:16]


def _rounded(row: tuple) -> tuple:
    return tuple(round(v, 6) if isinstance(v, float) else v for v in row)


def _imports_reset(demo_stores: set[int], demo_skus: set[int]) -> None:
    """Remove what an import job wrote, so its next run writes everything again."""
    from history.models import SalesFact
    from masterdata.models import SKU, Store

    SalesFact.objects.all().delete()
    Store.objects.exclude(pk__in=demo_stores).delete()
    SKU.objects.exclude(pk__in=demo_skus).delete()


def _start(job: ChaosJob):
    from jobs.registry import job_kind_get
    from jobs.services import job_start

    params = job_kind_get(job.kind).params.from_json(job.params)
    return job_start(kind=job.kind, params=params, actor=None)


def _wait(job_id: int, celery: Celery, *, until=None):
    from jobs.models import JobRun

    deadline = time.monotonic() + JOB_TIMEOUT_S
    while time.monotonic() < deadline:
        run = JobRun.objects.get(pk=job_id)
        if run.is_finished or (until is not None and until(run)):
            return run
        time.sleep(0.25)
    return JobRun.objects.get(pk=job_id)


def _run_once(job: ChaosJob, celery: Celery, kill_after: float | None = None):
    """Run ``job``; with ``kill_after``, SIGKILL a worker in the middle of it.

    The middle is, for an import, once its own progress passes ``KILL_AT_PERCENT``
    (checked and writing); for a forecast, ``FORECAST_KILL_SHARE`` of ``kill_after`` (half
    its undisturbed time) after it started running (its progress is written too seldom to
    catch a forecast of one chunk mid-way).
    Returns (job run, wall seconds, what was killed, seconds from kill to finish).
    """
    kill = kill_after is not None
    start = time.perf_counter()
    run = _start(job)
    killed, since_kill = "", None
    if kill:
        threshold = KILL_AT_PERCENT[job.kind]
        run = _wait(
            run.pk, celery, until=lambda r: r.status == "running" and r.progress >= threshold
        )
        if run.is_finished:
            killed = "nothing (finished first)"
        else:
            if job.kind == "forecast":
                time.sleep(FORECAST_KILL_SHARE * kill_after)
            run = type(run).objects.get(pk=run.pk)
            killed = f"{celery.kill(job.kill, run.worker)} at {run.progress:.0f} %"
            kill_time = time.perf_counter()
            if not celery.alive():
                celery.start_worker()
    run = _wait(run.pk, celery)
    wall = time.perf_counter() - start
    if kill and not killed.startswith("nothing"):
        since_kill = time.perf_counter() - kill_time
    return run, wall, killed, since_kill


def main() -> int:
    if not (DATA / "walmart").is_dir() or not (DATA / "ai-sop").is_dir():
        print(f"  skipped: {DATA}/walmart and {DATA}/ai-sop are needed")
        return 0
    django_setup(jobs_mode="celery")
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        raise SystemExit("the chaos benchmark needs PostgreSQL (DATABASE_URL) and REDIS_URL")
    with throwaway_database("chaos"):
        return _run()


def _run() -> int:
    from django.conf import settings
    from django.db import connection

    from demo.engine import generate_company
    from demo.services import demo_company_load
    from masterdata.models import SKU, Store
    from sop_site.celery import app
    from sop_site.database_url import database_url

    logs = Path(tempfile.mkdtemp(prefix="chaos-"))
    queue = f"chaos-{uuid.uuid4().hex[:12]}"
    app.conf.task_default_queue = queue
    settings.SOP_JOBS_MODE = "celery"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "SOP_JOBS_MODE": "celery",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
    }
    concurrency = int(os.environ.get("CHAOS_CONCURRENCY", "2"))
    celery = Celery(env, concurrency, logs)
    results = []
    try:
        started = time.perf_counter()
        demo_company_load(company=generate_company(seed=7, stores=3, skus=40, years=2))
        seconds = time.perf_counter() - started
        print(f"  demo company (3 stores x 40 SKUs, 2 years) loaded in {seconds:.0f} s")
        demo_stores = set(Store.objects.values_list("pk", flat=True))
        demo_skus = set(SKU.objects.values_list("pk", flat=True))
        north = list(Store.objects.filter(region__code="NORTH").values_list("pk", flat=True))
        jobs = _jobs(north)[: int(os.environ.get("CHAOS_JOBS", "10"))]
        if only := os.environ.get("CHAOS_ONLY"):
            jobs = [job for job in jobs if job.name in only.split(",")]
        celery.start_worker()
        celery.start_beat()
        print(
            f"  workers: prefork x {concurrency}, queue {queue}, beat with the reaper; logs {logs}"
        )
        first = _jobs(north)[0]
        warm_up = ChaosJob("warm-up", "forecast", {**first.params, "horizon": 7}, "child")
        _, seconds, _, _ = _run_once(warm_up, celery)
        print(f"  warm-up forecast (libraries loaded, models compiled): {seconds:.0f} s")
        for job in jobs:
            if job.kind == "import":
                _imports_reset(demo_stores, demo_skus)
            calm, calm_wall, _, _ = _run_once(job, celery)
            calm_hash = _rows_hash(job.kind, job.params)
            if job.kind == "import":
                _imports_reset(demo_stores, demo_skus)
            hit, hit_wall, killed, since_kill = _run_once(job, celery, kill_after=calm_wall / 2)
            hit_hash = _rows_hash(job.kind, job.params)
            completed = hit.status == "succeeded"
            identical = completed and calm.status == "succeeded" and hit_hash == calm_hash
            extra = hit_wall - calm_wall
            within = extra <= ALLOWED_EXTRA_S
            results.append((completed and identical, within))
            events = "; ".join(
                e["event"] for e in hit.log if "lost" in e["event"] or "Requeued" in e["event"]
            )
            outcome = (
                "completed" if completed else f"NOT completed ({hit.status}: {hit.error[:80]})"
            )
            print(
                f"  {job.name:<22} killed {killed}: {outcome}, "
                f"{'identical' if identical else 'DIFFERENT'} results ({hit_hash}), "
                f"undisturbed {calm_wall:.0f} s, disturbed {hit_wall:.0f} s, "
                f"recovery {extra:+.0f} s{'' if within else ' (over 3 min)'}"
                f"{f', {since_kill:.0f} s from kill to finish' if since_kill is not None else ''}, "
                f"attempts {hit.attempts}"
            )  # fmt: skip
            if events:
                print(f"      {events}")
    finally:
        celery.stop()
        connection.close()
    good = sum(ok for ok, _ in results)
    print(f"  {good} of {len(results)} jobs completed with identical results")
    print(f"  {sum(w for _, w in results)} of {len(results)} within undisturbed time + 3 min")
    return 0 if all(ok and w for ok, w in results) else 1
