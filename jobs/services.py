"""Starting, queuing, executing, recovering and cleaning up job runs; limits and notifications.

Every app registers its kinds of job in ``jobs.registry`` and starts work with one call,
``job_start(kind=..., params=..., actor=...)``: views, the API, management commands and
Celery beat alike. ``job_start`` records the run and queues it where ``SOP_JOBS_MODE`` says;
the one generic Celery task (``jobs.run``) calls ``job_run``, which reads the typed params
back and hands them to the kind's work inside ``job_execute``. ``job_execute`` owns the
bookkeeping every job shares: status, live progress, wall/CPU time, peak memory, limits,
errors, heartbeats, and notifying admins when a limit stops a job.

A worker that dies mid-job is recovered in two ways: a pool process killed by the kernel has
its task redelivered at once (late acknowledgement) and a sibling takes over; a whole worker
that vanished stops heartbeating, and ``job_runs_requeue_lost`` (on beat, every minute)
queues its jobs again, at most ``MAX_ATTEMPTS`` starts in all.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Role
from audit.context import audit_context
from jobs.console import progress_echoed
from jobs.heartbeat import (
    STALE_AFTER,
    heartbeat,
    heartbeats_on,
    holder_is_dead_here,
    worker_identity,
)
from jobs.limits import JobLimitExceeded, ResourceWatch
from jobs.models import FINISHED_STATUSES, JobLimit, JobRun, JobStatus, Notification
from jobs.registry import JobParams, job_kind_get
from jobs.selectors import job_limits

logger = logging.getLogger(__name__)

PROGRESS_WRITE_INTERVAL_S = 0.5
# Celery's hard limit kills the worker process; the grace lets the watchdog and the soft
# limit stop the job cleanly first.
HARD_LIMIT_GRACE_S = 60
# A job whose worker died this many times (typically killed for memory) is not tried again.
MAX_ATTEMPTS = 3
PURGE_BATCH_SIZE = 500
JOB_MODES = ("celery", "thread", "eager")
RUN_TASK = "jobs.run"
HELP_TASK = "jobs.help"
LOG_ENTRIES_KEPT = 50

Work = Callable[[JobRun, Callable[[float, str], None]], dict | None]


class JobRejected(Exception):
    """An expected way for a job to fail (e.g. an all-or-nothing import with bad rows).

    Its message says everything the user needs; no traceback is logged for it.
    """


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
        fields: dict[str, Any] = {"progress": percent}
        if message:
            fields["message"] = message[:300]
        JobRun.objects.filter(pk=self.job.pk).update(**fields)
        if message:
            logger.debug("job %s %s: %.0f%% %s", self.job.pk, self.job.kind, percent, message)


def job_create(
    *, kind: str, user: User | None, params: JobParams | dict[str, Any] | None = None
) -> JobRun:
    """Record a queued run of ``kind`` with the kind's current limits (not yet queued)."""
    time_limit, memory_limit = job_limits(kind)
    if isinstance(params, JobParams):
        params = params.to_json()
    return JobRun.objects.create(
        kind=kind,
        created_by=user if user is not None and user.is_authenticated else None,
        params=params or {},
        time_limit_s=time_limit,
        memory_limit_mb=memory_limit,
    )


def job_start(
    *, kind: str, params: JobParams, actor: User | None, echo: TextIO | None = None
) -> JobRun:
    """Start a job of a registered ``kind``: the one way any part of the product starts work.

    ``params`` must be an instance of the kind's params class (validated on construction).
    The run is recorded, then queued where ``SOP_JOBS_MODE`` says (see ``job_enqueue``).
    With ``echo`` (management commands) it runs here and now, writing its progress there;
    the returned job then holds the outcome.
    """
    registered = job_kind_get(kind)
    if not isinstance(params, registered.params):
        raise TypeError(
            f"job kind {kind!r} takes {registered.params.__name__}, not {type(params).__name__}"
        )
    job = job_create(kind=kind, user=actor, params=params)
    if echo is not None:
        return job_run(job_id=job.pk, echo=echo)
    job_enqueue(job=job)
    return job


def job_enqueue(*, job: JobRun) -> None:
    """Run ``job`` where ``SOP_JOBS_MODE`` says.

    ``celery``: the generic task is queued on Redis once the current transaction commits,
    with Celery's soft and hard time limits taken from the job. ``thread`` (the embedded
    default): a daemon thread of this process, started on commit, so pages can poll progress.
    ``eager`` (tests): synchronously, right now; ``job`` is refreshed with the outcome.
    """
    mode = settings.SOP_JOBS_MODE
    if mode == "celery":
        options: dict[str, Any] = {"task_id": str(uuid.uuid4())}
        if job.time_limit_s:
            options["soft_time_limit"] = job.time_limit_s
            options["time_limit"] = job.time_limit_s + HARD_LIMIT_GRACE_S
        JobRun.objects.filter(pk=job.pk).update(task_id=options["task_id"])
        job.task_id = options["task_id"]
        # By name: services never import tasks (tasks import services).
        transaction.on_commit(lambda: current_app.send_task(RUN_TASK, args=[job.pk], **options))
    elif mode == "thread":
        transaction.on_commit(lambda: _start_thread(job.pk))
    elif mode == "eager":
        job_run(job_id=job.pk)
        job.refresh_from_db()
    else:
        raise ImproperlyConfigured(
            f"SOP_JOBS_MODE is {mode!r}; it must be one of {', '.join(JOB_MODES)}."
        )


def _start_thread(job_id: int) -> None:
    def target() -> None:
        try:
            job_run(job_id=job_id)
        except Exception:
            logger.exception("job %s could not run", job_id)
        finally:
            # This thread's own database connections would otherwise stay open.
            connections.close_all()

    threading.Thread(target=target, name=f"job-{job_id}", daemon=True).start()


def job_run(
    *, job_id: int, task_id: str = "", echo: TextIO | None = None, on_worker: bool = False
) -> JobRun:
    """Run a recorded job with its registered kind's work and typed params.

    ``on_worker`` (the generic Celery task) keeps a heartbeat while it runs, so that the
    job is requeued if the whole worker vanishes.
    """
    kind_name = JobRun.objects.values_list("kind", flat=True).get(pk=job_id)
    kind = job_kind_get(kind_name)

    def work(job: JobRun, progress: Callable[[float, str], None]) -> dict | None:
        if echo is not None:
            progress = progress_echoed(progress, echo)
        return kind.work(job, kind.params.from_json(job.params), progress)

    if not on_worker:
        return job_execute(job_id=job_id, work=work, task_id=task_id)
    with heartbeats_on():
        return job_execute(job_id=job_id, work=work, task_id=task_id)


def job_help(*, job_id: int) -> None:
    """A helper task's share of a job: the kind's ``helper`` (e.g. a forecast's chunks)."""
    job = JobRun.objects.get(pk=job_id)
    if job.is_finished:
        return
    kind = job_kind_get(job.kind)
    if kind.helper is None:
        return
    with heartbeats_on():
        kind.helper(job, kind.params.from_json(job.params))


def job_helpers_start(*, job: JobRun, count: int) -> int:
    """Queue ``count`` helper tasks for ``job`` on any free worker (Celery mode only).

    Returns how many were queued; elsewhere the job's own runner does all the work.
    """
    if settings.SOP_JOBS_MODE != "celery" or count <= 0:
        return 0
    for _ in range(count):
        transaction.on_commit(lambda: current_app.send_task(HELP_TASK, args=[job.pk]))
    return count


def _log_event(job: JobRun, text: str) -> None:
    entry = {"at": timezone.now().isoformat(timespec="seconds"), "event": text[:300]}
    job.log = [*(job.log or []), entry][-LOG_ENTRIES_KEPT:]


def _holder_alive(job: JobRun) -> bool:
    """Whether another live process is running ``job`` (its heartbeat is fresh and it is
    not a process of this machine that is known to have died)."""
    if job.heartbeat_at is None or job.heartbeat_at < timezone.now() - STALE_AFTER:
        return False
    return not holder_is_dead_here(job.worker)


def job_execute(*, job_id: int, work: Work, task_id: str = "") -> JobRun:
    """Run ``work(job, progress)`` for a queued job and record everything about the run.

    Idempotent: a job that already finished is returned untouched, so a redelivered task
    (late acknowledgement after a worker died) does not run finished work twice; so is a
    delivery of a task the job was requeued from (``task_id`` differs from the job's), and
    one for a job another live worker is running. A job still marked running whose worker
    died is started again, at most ``MAX_ATTEMPTS`` times.
    """
    with transaction.atomic():
        job = JobRun.objects.select_for_update().get(pk=job_id)
        if job.is_finished:
            return job
        if task_id and job.task_id and task_id != job.task_id:
            logger.info("job %s: task %s was superseded by a requeue; skipped", job.pk, task_id)
            return job
        if job.status == JobStatus.RUNNING and _holder_alive(job):
            logger.info("job %s is running on %s; this delivery is skipped", job.pk, job.worker)
            return job
        if job.status == JobStatus.RUNNING and job.attempts >= MAX_ATTEMPTS:
            reason = (
                f"the worker running it died {job.attempts} times "
                "(it may need more memory than the machine has); not tried again"
            )
            _log_event(job, f"Worker {job.worker} lost; not tried again")
            _finish(job, JobStatus.FAILED, f"Stopped: {reason}.")
            _notify_stop(job, reason)
            return job
        if job.status == JobStatus.RUNNING:
            _log_event(job, f"Worker {job.worker} lost; taken over")
        me = worker_identity()
        job.status = JobStatus.RUNNING
        job.started_at = timezone.now()
        job.heartbeat_at = job.started_at
        job.worker = me
        job.error = ""
        job.attempts += 1
        _log_event(job, f"Started on {me} (attempt {job.attempts} of {MAX_ATTEMPTS})")
        job.save(
            update_fields=[
                "status", "started_at", "heartbeat_at", "worker", "error", "attempts", "log"
            ]
        )  # fmt: skip

    def beat() -> None:
        JobRun.objects.filter(pk=job_id, status=JobStatus.RUNNING, worker=me).update(
            heartbeat_at=timezone.now()
        )

    watch = ResourceWatch(job.time_limit_s, job.memory_limit_mb)
    status, error, result, stop_reason = JobStatus.SUCCEEDED, "", None, ""
    try:
        actor = audit_context(actor=job.created_by, request_id=f"job-{job.pk}")
        with watch, heartbeat(beat), actor:
            outcome = work(job, Progress(job))
        if outcome is not None:
            result = json.loads(json.dumps(outcome, cls=DjangoJSONEncoder))
    except JobLimitExceeded:
        stop_reason = watch.breach
    except SoftTimeLimitExceeded:
        stop_reason = f"time limit of {job.time_limit_s} s reached"
    except JobRejected as exc:
        status, error = JobStatus.FAILED, f"{type(exc).__name__}: {exc}"
        logger.info("job %s rejected: %s", job.pk, exc)
    except Exception as exc:
        status, error = JobStatus.FAILED, f"{type(exc).__name__}: {exc}"
        logger.error("job %s failed\n%s", job.pk, traceback.format_exc())
    if stop_reason:
        status, error = JobStatus.FAILED, f"Stopped: {stop_reason}."

    with transaction.atomic():
        job = JobRun.objects.select_for_update().get(pk=job_id)
        job.wall_seconds = round(watch.wall_seconds, 3)
        job.cpu_seconds = round(watch.cpu_seconds, 3)
        job.peak_memory_mb = round(watch.peak_memory_mb, 1)
        if result is not None:
            job.result = result
        _finish(job, status, error)
        if stop_reason:
            _notify_stop(job, stop_reason)
    return job


def job_runs_requeue_lost() -> list[int]:
    """Queue again the Celery jobs whose worker vanished; returns their ids.

    A worker killed as a whole (machine lost, container stopped) leaves its task
    unacknowledged on Redis until the broker's visibility timeout (hours). Its jobs are
    recognised by a heartbeat older than ``STALE_AFTER`` and queued again under a new task
    id, so the old delivery, should it ever come back, is skipped. A job that has been
    started ``MAX_ATTEMPTS`` times fails instead, and admins are told.
    """
    stale = timezone.now() - STALE_AFTER
    requeued = []
    with transaction.atomic():
        lost = (
            JobRun.objects.select_for_update(skip_locked=True)
            .filter(status=JobStatus.RUNNING)
            .exclude(task_id="")
            .filter(Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, started_at__lt=stale))
        )
        for job in lost:
            if job.attempts >= MAX_ATTEMPTS:
                reason = f"the worker running it was lost {job.attempts} times; not tried again"
                _log_event(job, f"Worker {job.worker} lost; not tried again")
                _finish(job, JobStatus.FAILED, f"Stopped: {reason}.")
                _notify_stop(job, reason)
                continue
            since = job.heartbeat_at or job.started_at
            _log_event(
                job,
                f"Requeued after worker lost ({job.worker}, silent since "
                f"{since.isoformat(timespec='seconds')})",
            )
            job.status = JobStatus.QUEUED
            job.message = f"Requeued after worker lost (attempt {job.attempts} of {MAX_ATTEMPTS})"
            job.save(update_fields=["status", "message", "log"])
            job_enqueue(job=job)
            requeued.append(job.pk)
            logger.warning("job %s requeued: worker %s lost", job.pk, job.worker)
    return requeued


def _finish(job: JobRun, status: str, error: str) -> None:
    job.status = status
    job.error = error
    job.finished_at = timezone.now()
    if job.wall_seconds is None and job.started_at is not None:
        job.wall_seconds = round((job.finished_at - job.started_at).total_seconds(), 3)
    if status == JobStatus.SUCCEEDED:
        job.progress = 100
        job.message = job.message or "Done"
    job.save()


def _notify_stop(job: JobRun, reason: str) -> None:
    """Tell every admin, and whoever started the job, that a job was stopped."""
    recipients = User.objects.filter(
        Q(is_superuser=True) | Q(groups__name=Role.ADMIN) | Q(pk=job.created_by_id),
        is_active=True,
    ).distinct()
    message = f"Job {job.kind} #{job.pk} stopped: {reason}."
    Notification.objects.bulk_create(
        [Notification(user=u, message=message[:500], level="error", job=job) for u in recipients]
    )


def job_fail_for_task(*, task_id: str, error: str, stop_reason: str = "") -> JobRun | None:
    """Mark the job run of a Celery task failed when the task died outside ``job_execute``.

    Celery's hard time limit kills the worker process mid-job: nothing in the job's own code
    runs again, so without this the job would show "running" forever. A ``stop_reason``
    (a limit) also notifies admins.
    """
    if not task_id:
        return None
    with transaction.atomic():
        job = JobRun.objects.select_for_update().filter(task_id=task_id).first()
        if job is None or job.is_finished:
            return None
        _finish(job, JobStatus.FAILED, f"Stopped: {stop_reason}." if stop_reason else error)
        if stop_reason:
            _notify_stop(job, stop_reason)
    return job


def job_runs_purge(
    *, older_than_days: int, progress: Callable[[float, str], None] | None = None
) -> dict[str, Any]:
    """Delete finished job runs older than ``older_than_days``, with their uploaded files.

    A job's files are those its params list under ``paths`` (an import's uploads); only
    files inside ``MEDIA_ROOT`` are touched, and only once the batch's deletion commits.
    Rows that cascade from a job run go with it. Works in batches so a large backlog neither
    holds long locks nor builds one huge transaction.
    """
    cutoff = timezone.now() - dt.timedelta(days=older_than_days)
    ids = list(
        JobRun.objects.filter(status__in=FINISHED_STATUSES, finished_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    files_deleted = 0
    for start in range(0, len(ids), PURGE_BATCH_SIZE):
        batch = ids[start : start + PURGE_BATCH_SIZE]
        with transaction.atomic():
            runs = JobRun.objects.filter(pk__in=batch)
            files = _uploaded_files(runs.values_list("params", flat=True))
            runs.delete()
            transaction.on_commit(lambda files=files: _delete_files(files))
        files_deleted += len(files)
        done = start + len(batch)
        if progress is not None:
            progress(100 * done / len(ids), f"Deleted {done} of {len(ids)} job runs")
    return {
        "older_than_days": older_than_days,
        "cutoff": cutoff.isoformat(timespec="seconds"),
        "job_runs_deleted": len(ids),
        "files_deleted": files_deleted,
    }


def _uploaded_files(all_params) -> list[Path]:
    media_root = Path(settings.MEDIA_ROOT).resolve()
    files = []
    for params in all_params:
        paths = params.get("paths") if isinstance(params, dict) else None
        for name in paths if isinstance(paths, list) else []:
            path = Path(str(name)).resolve()
            if path.is_relative_to(media_root) and path.is_file():
                files.append(path)
    return files


def _delete_files(files: list[Path]) -> None:
    """Delete the files, then their folders if that left them empty (MEDIA_ROOT stays)."""
    media_root = Path(settings.MEDIA_ROOT).resolve()
    for path in files:
        path.unlink(missing_ok=True)
    for folder in {path.parent for path in files}:
        if folder != media_root and not any(folder.iterdir()):
            folder.rmdir()


@transaction.atomic
def job_limit_set(*, kind: str, time_limit_s: int, memory_limit_mb: int) -> JobLimit:
    """Set the limits for one kind of job; runs created from now on get them."""
    limit, _ = JobLimit.objects.update_or_create(
        kind=kind, defaults={"time_limit_s": time_limit_s, "memory_limit_mb": memory_limit_mb}
    )
    return limit


@transaction.atomic
def job_limit_reset(*, limit: JobLimit) -> None:
    """Drop an admin's limits for a kind, so its runs get the defaults again."""
    limit.delete()


def notification_mark_read(*, user: User, notification: Notification | None = None) -> int:
    """Mark one of the user's notifications read, or all of them; returns how many."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification is not None:
        unread = unread.filter(pk=notification.pk)
    return unread.update(read_at=timezone.now())
