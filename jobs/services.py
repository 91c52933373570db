"""Creating, queuing and executing job runs.

A domain app starts long work in three steps: ``job_create`` records the run, ``job_enqueue``
queues its Celery task once the surrounding transaction commits, and the task calls
``job_execute`` with the service function that does the work. ``job_execute`` owns the
bookkeeping every job shares: status, live progress, wall/CPU time, peak memory, limits,
errors, and notifying admins when a limit stops a job.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone

from jobs.limits import JobLimitExceeded, ResourceWatch
from jobs.models import JobLimit, JobRun, JobStatus, Notification

logger = logging.getLogger(__name__)

PROGRESS_WRITE_INTERVAL_S = 0.5


class Progress:
    """Reports progress of one job: ``progress(percent, message)``.

    Writes are throttled (at most two a second, plus every whole-10 % step and the end) so a
    tight loop can report freely without hammering the database.
    """

    def __init__(self, job: JobRun) -> None:
        self.job = job
        self._last_write = 0.0
        self._last_percent = -1.0

    def __call__(self, percent: float, message: str = "") -> None:
        percent = max(0.0, min(100.0, float(percent)))
        now = time.monotonic()
        crossed_step = int(percent // 10) != int(self._last_percent // 10)
        if now - self._last_write < PROGRESS_WRITE_INTERVAL_S and not crossed_step:
            return
        self._last_write, self._last_percent = now, percent
        fields = {"progress": percent}
        if message:
            fields["message"] = message[:300]
        JobRun.objects.filter(pk=self.job.pk).update(**fields)
        if message:
            logger.info("job %s %s: %.0f%% %s", self.job.pk, self.job.kind, percent, message)


def job_limits(kind: str) -> tuple[int, int]:
    """The (time limit s, memory limit MB) for a kind of job: an admin's, else the defaults."""
    limit = JobLimit.objects.filter(kind=kind).first()
    if limit:
        return limit.time_limit_s, limit.memory_limit_mb
    return settings.JOB_DEFAULT_TIME_LIMIT_S, settings.JOB_DEFAULT_MEMORY_LIMIT_MB


def job_create(*, kind: str, user: User | None, params: dict[str, Any] | None = None) -> JobRun:
    time_limit, memory_limit = job_limits(kind)
    return JobRun.objects.create(
        kind=kind,
        created_by=user if user is not None and user.is_authenticated else None,
        params=params or {},
        time_limit_s=time_limit,
        memory_limit_mb=memory_limit,
    )


def job_enqueue(*, job: JobRun, task) -> None:
    """Queue ``task(job.pk)`` after the current transaction commits.

    ``SOP_JOBS_MODE`` decides where it runs: ``celery`` (Redis and workers), ``thread`` (the
    embedded default: a thread of this process, so pages can poll progress) or ``eager``
    (synchronously, for tests and management commands).
    """
    mode = settings.SOP_JOBS_MODE
    if mode == "celery":
        transaction.on_commit(lambda: task.apply_async(args=[job.pk]))
    elif mode == "thread":
        transaction.on_commit(lambda: _start_thread(task, job.pk))
    else:
        transaction.on_commit(lambda: task.apply(args=[job.pk], throw=False))


def _start_thread(task, job_id: int) -> None:
    def target() -> None:
        try:
            task.apply(args=[job_id], throw=False)
        finally:
            close_old_connections()

    threading.Thread(target=target, name=f"job-{job_id}", daemon=True).start()


def job_execute(*, job_id: int, work: Callable[[JobRun, Progress], dict | None]) -> JobRun:
    """Run ``work(job, progress)`` for a queued job and record everything about the run.

    Idempotent: a job that already finished is returned untouched, so a redelivered task
    (late acknowledgement after a worker died) does not run finished work twice.
    """
    with transaction.atomic():
        job = JobRun.objects.select_for_update().get(pk=job_id)
        if job.is_finished:
            return job
        job.status = JobStatus.RUNNING
        job.started_at = timezone.now()
        job.worker = socket.gethostname()[:200]
        job.error = ""
        job.save(update_fields=["status", "started_at", "worker", "error"])

    watch = ResourceWatch(job.time_limit_s, job.memory_limit_mb)
    status, error, result = JobStatus.SUCCEEDED, "", None
    try:
        with watch:
            result = work(job, Progress(job))
    except JobLimitExceeded:
        status, error = JobStatus.FAILED, f"Stopped: {watch.breach}."
        _notify_admins(job, f"Job {job.kind} #{job.pk} stopped: {watch.breach}.", level="error")
    except Exception as exc:
        status, error = JobStatus.FAILED, f"{type(exc).__name__}: {exc}"
        logger.error("job %s failed\n%s", job.pk, traceback.format_exc())

    job.refresh_from_db()
    job.status = status
    job.error = error
    job.finished_at = timezone.now()
    job.wall_seconds = round(watch.wall_seconds, 3)
    job.cpu_seconds = round(watch.cpu_seconds, 3)
    job.peak_memory_mb = round(watch.peak_memory_mb, 1)
    if status == JobStatus.SUCCEEDED:
        job.progress = 100
        job.message = job.message or "Done"
    if result is not None:
        job.result = result
    job.save()
    return job


def _notify_admins(job: JobRun, message: str, level: str) -> None:
    admins = User.objects.filter(
        Q(is_superuser=True) | Q(groups__name="admin"), is_active=True
    ).distinct()
    Notification.objects.bulk_create(
        [Notification(user=u, message=message[:500], level=level, job=job) for u in admins]
    )
