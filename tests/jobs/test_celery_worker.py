"""A real Celery worker process takes a real job from Redis and runs it to the end.

The job is a purge of old job runs. The test holds a row lock on a run of the purge's second
batch, so the worker must stop mid-way with its progress reported; releasing the lock lets it
finish. The worker uses the same PostgreSQL test database as the test and a queue of its own.
"""

import contextlib
import datetime as dt
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from accounts.models import Role
from jobs.models import JobRun, JobStatus
from jobs.purge import PURGE_KIND, PurgeParams
from jobs.services import PURGE_BATCH_SIZE, job_start
from sop_site.celery import app as celery_app
from sop_site.database_url import database_url
from tests.factories import UserFactory
from tests.jobs.worker_kinds import COUNT_KIND, CountParams

pytestmark = pytest.mark.celery_worker

STARTUP_TIMEOUT_S = 180
FINISH_TIMEOUT_S = 60
WORKER_KINDS = "tests.jobs.worker_kinds"


@contextlib.contextmanager
def _row_lock(db: dict, job_id: int):
    """Hold ``SELECT ... FOR UPDATE`` on one job run from a second connection."""
    lock = psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
    )
    try:
        lock.execute("SELECT id FROM jobs_jobrun WHERE id = %s FOR UPDATE", [job_id])
        yield lock
    finally:
        lock.rollback()
        lock.close()


@contextlib.contextmanager
def _default_queue(name: str):
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = name
    try:
        yield
    finally:
        celery_app.conf.task_default_queue = previous


@contextlib.contextmanager
def _worker(queue: str, env: dict, log_path: Path, include: str = ""):
    command = [
        str(Path(sys.executable).with_name("celery")),
        "-A", "sop_site", "worker",
        "--pool", "solo",
        "-Q", queue,
        "-n", f"{queue}@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--loglevel", "INFO",
        *(["--include", include] if include else []),
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=django_settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _wait_for(job_id: int, condition, *, timeout: float, process, log_path: Path) -> JobRun:
    """Poll the job run until ``condition(job)`` holds; fail early if the worker exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = JobRun.objects.get(pk=job_id)
        if condition(job):
            return job
        if process.poll() is not None:
            pytest.fail(f"The worker exited ({process.returncode}):\n{_tail(log_path)}")
        time.sleep(0.05)
    pytest.fail(f"Timed out after {timeout} s; the job is {job.status}:\n{_tail(log_path)}")


def _tail(log_path: Path) -> str:
    return log_path.read_text(errors="replace")[-4000:]


def _worker_env(settings) -> dict:
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: this test needs a real Redis broker.")
    if connection.vendor != "postgresql":
        pytest.skip("A worker process can only share the test database on PostgreSQL.")
    settings.SOP_JOBS_MODE = "celery"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sop_site.settings.test",
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": settings.REDIS_URL,
    }


@pytest.mark.django_db(transaction=True)
def test_worker_runs_a_kind_registered_by_the_test(settings, tmp_path):
    """A kind of the test's own (``tests.jobs.worker_kinds``, which the worker imports with
    ``--include``) runs through ``job_start`` and the generic task like any app's kind."""
    env = _worker_env(settings)
    queue = f"test-jobs-{uuid.uuid4().hex[:12]}"
    log_path = tmp_path / "worker.log"
    admin = UserFactory(username="kind-admin", role=Role.ADMIN)
    params = CountParams(to=6, steps=(1, 2, 3), pause_s=0.2)

    with _default_queue(queue), _worker(queue, env, log_path, include=WORKER_KINDS) as worker:
        job = job_start(kind=COUNT_KIND, params=params, actor=admin)
        assert JobRun.objects.get(pk=job.pk).task_id
        done = _wait_for(
            job.pk,
            lambda j: j.is_finished,
            timeout=STARTUP_TIMEOUT_S,
            process=worker,
            log_path=log_path,
        )

    assert done.status == JobStatus.SUCCEEDED, f"{done.error}\n{_tail(log_path)}"
    assert done.result == {"counted": 6, "steps": [1, 2, 3], "worker": done.worker}
    assert done.message == "Counted 6 of 6"
    assert done.worker.split(":")[-1] != str(os.getpid())  # not run in the test's process
    assert done.heartbeat_at is not None and done.attempts == 1
    assert done.created_by == admin


@pytest.mark.django_db(transaction=True)
def test_worker_runs_a_queued_job_and_reports_progress(settings, tmp_path):
    env = _worker_env(settings)
    db = connection.settings_dict
    queue = f"test-jobs-{uuid.uuid4().hex[:12]}"
    log_path = tmp_path / "worker.log"

    long_ago = timezone.now() - dt.timedelta(days=400)
    JobRun.objects.bulk_create(
        JobRun(kind="import", status=JobStatus.SUCCEEDED, progress=100, finished_at=long_ago)
        for _ in range(2 * PURGE_BATCH_SIZE)
    )
    last_old_run = JobRun.objects.filter(kind="import").order_by("-pk").first()
    admin = UserFactory(username="worker-admin", role=Role.ADMIN)
    with _row_lock(db, last_old_run.pk) as lock, _default_queue(queue):
        job = job_start(kind=PURGE_KIND, params=PurgeParams(older_than_days=90), actor=admin)
        queued = JobRun.objects.get(pk=job.pk)
        assert queued.status == JobStatus.QUEUED
        assert queued.task_id

        with _worker(queue, env, log_path) as worker:
            running = _wait_for(
                job.pk,
                lambda j: j.status == JobStatus.RUNNING and j.progress > 0,
                timeout=STARTUP_TIMEOUT_S,
                process=worker,
                log_path=log_path,
            )
            # The second batch waits for the locked row: the job is half done, and says so.
            assert 0 < running.progress < 100
            batch, total = PURGE_BATCH_SIZE, 2 * PURGE_BATCH_SIZE
            assert running.message == f"Deleted {batch} of {total} job runs"

            lock.rollback()
            done = _wait_for(
                job.pk,
                lambda j: j.is_finished,
                timeout=FINISH_TIMEOUT_S,
                process=worker,
                log_path=log_path,
            )

    assert done.status == JobStatus.SUCCEEDED, f"{done.error}\n{_tail(log_path)}"
    assert done.progress == 100
    assert done.result["job_runs_deleted"] == 2 * PURGE_BATCH_SIZE
    assert done.attempts == 1
    assert done.worker
    assert done.wall_seconds > 0
    assert not JobRun.objects.filter(kind="import").exists()
