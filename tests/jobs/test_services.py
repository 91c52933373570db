"""Job services: running work with bookkeeping, real time and memory limits, queuing modes,
purging old runs, limits and notifications."""

import datetime as dt
import threading
import time

import pytest
from celery.exceptions import TimeLimitExceeded
from celery.signals import task_failure
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from accounts.models import Role
from audit.context import audit_context
from audit.models import AuditEntry
from jobs.models import JobLimit, JobRun, JobStatus, Notification
from jobs.purge import PURGE_KIND, PurgeParams
from jobs.services import (
    MAX_ATTEMPTS,
    Progress,
    job_create,
    job_execute,
    job_limit_set,
    job_runs_purge,
    job_start,
    notification_mark_read,
)
from tests.factories import UserFactory
from tests.jobs.factories import FinishedJobRunFactory, JobRunFactory, NotificationFactory

MB = 2**20


def _sleep_in_python(seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.01)


def test_job_execute_records_a_successful_run(planner):
    job = job_create(kind="forecast", user=planner, params={"horizon": 8})

    def work(job_run, progress):
        progress(40, "Fitting models")
        return {"series": 3, "horizon": job_run.params["horizon"], "as_of": dt.date(2026, 1, 5)}

    job = job_execute(job_id=job.pk, work=work)

    assert job.status == JobStatus.SUCCEEDED
    assert job.progress == 100
    assert job.message == "Fitting models"
    assert job.result == {"series": 3, "horizon": 8, "as_of": "2026-01-05"}
    assert job.attempts == 1
    assert job.worker
    assert job.started_at <= job.finished_at
    assert job.wall_seconds >= 0 and job.cpu_seconds >= 0 and job.peak_memory_mb >= 0


def test_failing_work_records_the_error(planner):
    job = job_create(kind="forecast", user=planner)

    def work(job_run, progress):
        raise ValueError("No sales history for store N1.")

    job = job_execute(job_id=job.pk, work=work)

    assert job.status == JobStatus.FAILED
    assert job.error == "ValueError: No sales history for store N1."
    assert not Notification.objects.exists()


def test_result_that_is_not_json_fails_the_job(planner):
    job = job_create(kind="forecast", user=planner)
    job = job_execute(job_id=job.pk, work=lambda job_run, progress: {"model": object()})
    assert job.status == JobStatus.FAILED
    assert "not JSON serializable" in job.error


def test_finished_job_is_not_run_again(planner):
    job = FinishedJobRunFactory(created_by=planner, result={"rows": 5})
    calls = []
    again = job_execute(job_id=job.pk, work=lambda job_run, progress: calls.append(1))
    assert calls == []
    assert again.result == {"rows": 5}
    assert again.attempts == 0


def test_redelivered_running_job_starts_again(planner):
    job = JobRunFactory(created_by=planner, status=JobStatus.RUNNING, attempts=1)
    job = job_execute(job_id=job.pk, work=lambda job_run, progress: {"ok": True})
    assert job.status == JobStatus.SUCCEEDED
    assert job.attempts == 2


def test_job_whose_worker_died_too_often_is_stopped(planner, admin_user):
    job = JobRunFactory(created_by=planner, status=JobStatus.RUNNING, attempts=MAX_ATTEMPTS)
    calls = []
    job = job_execute(job_id=job.pk, work=lambda job_run, progress: calls.append(1))
    assert calls == []
    assert job.status == JobStatus.FAILED
    assert job.error.startswith(f"Stopped: the worker running it died {MAX_ATTEMPTS} times")
    assert Notification.objects.filter(user=admin_user, job=job).exists()


def test_time_limit_stops_the_job_and_notifies_admins(planner, admin_user, executive):
    superuser = UserFactory(username="root", is_superuser=True)
    JobLimit.objects.create(kind="slow", time_limit_s=1, memory_limit_mb=4096)
    job = job_create(kind="slow", user=planner)
    assert job.time_limit_s == 1

    def work(job_run, progress):
        _sleep_in_python(10)
        return {"finished": True}

    job = job_execute(job_id=job.pk, work=work)

    assert job.status == JobStatus.FAILED
    assert job.error == "Stopped: time limit of 1 s reached."
    assert job.result == {}
    assert 1 <= job.wall_seconds < 5
    notified = set(Notification.objects.filter(job=job).values_list("user__username", flat=True))
    assert notified == {admin_user.username, superuser.username, planner.username}
    note = Notification.objects.get(job=job, user=admin_user)
    assert note.message == f"Job slow #{job.pk} stopped: time limit of 1 s reached."
    assert note.level == "error"


def test_work_that_catches_exceptions_cannot_swallow_the_stop(planner):
    JobLimit.objects.create(kind="stubborn", time_limit_s=1, memory_limit_mb=4096)
    job = job_create(kind="stubborn", user=planner)

    def work(job_run, progress):
        try:
            _sleep_in_python(10)
        except Exception:
            return {"swallowed": True}
        return {"finished": True}

    job = job_execute(job_id=job.pk, work=work)
    assert job.status == JobStatus.FAILED
    assert job.error == "Stopped: time limit of 1 s reached."


def test_memory_limit_stops_the_job(planner, admin_user):
    JobLimit.objects.create(kind="hungry", time_limit_s=60, memory_limit_mb=64)
    job = job_create(kind="hungry", user=planner)

    def work(job_run, progress):
        chunks = []
        for _ in range(32):  # 512 MB at most, should the watchdog fail
            chunks.append(b"\x01" * (16 * MB))
            time.sleep(0.05)
        return {"allocated_mb": 16 * len(chunks)}

    job = job_execute(job_id=job.pk, work=work)

    assert job.status == JobStatus.FAILED
    assert job.error.startswith("Stopped: memory limit of 64 MB reached (")
    assert job.error.endswith(" MB in use).")
    assert job.peak_memory_mb >= 64
    assert Notification.objects.filter(user=admin_user, job=job, level="error").exists()


def test_progress_writes_are_throttled_but_keep_whole_steps(planner):
    job = JobRunFactory(created_by=planner, status=JobStatus.RUNNING)
    progress = Progress(job)
    progress(5, "Reading")
    progress(7, "Still reading")
    job.refresh_from_db()
    assert (job.progress, job.message) == (5, "Reading")
    progress(12, "Writing")
    job.refresh_from_db()
    assert (job.progress, job.message) == (12, "Writing")


def test_eager_mode_runs_now_and_refreshes_the_job(admin_user, settings):
    settings.SOP_JOBS_MODE = "eager"
    job = job_start(kind=PURGE_KIND, params=PurgeParams(older_than_days=30), actor=admin_user)
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["job_runs_deleted"] == 0
    assert job.params == {"older_than_days": 30}


class RecordingCelery:
    """Stands in for the Celery app to see what ``job_enqueue`` hands to Celery."""

    def __init__(self):
        self.calls = []

    def send_task(self, name, **options):
        self.calls.append((name, options))


def test_celery_mode_queues_on_commit_with_the_jobs_time_limits(
    admin_user, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.SOP_JOBS_MODE = "celery"
    celery = RecordingCelery()
    monkeypatch.setattr("jobs.services.current_app", celery)
    JobLimit.objects.create(kind=PURGE_KIND, time_limit_s=600, memory_limit_mb=2048)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = job_start(kind=PURGE_KIND, params=PurgeParams(), actor=admin_user)
    assert celery.calls == []

    callbacks[0]()
    job.refresh_from_db()
    assert job.task_id
    assert job.status == JobStatus.QUEUED
    assert celery.calls == [
        (
            "jobs.run",
            {"args": [job.pk], "task_id": job.task_id, "soft_time_limit": 600, "time_limit": 660},
        )
    ]


def test_unknown_mode_is_refused(admin_user, settings):
    settings.SOP_JOBS_MODE = "threads"
    with pytest.raises(ImproperlyConfigured, match="SOP_JOBS_MODE is 'threads'"):
        job_start(kind=PURGE_KIND, params=PurgeParams(), actor=admin_user)


@pytest.mark.django_db(transaction=True)
def test_thread_mode_runs_the_job_beside_the_caller(settings):
    settings.SOP_JOBS_MODE = "thread"
    admin = UserFactory(username="thread-admin", role=Role.ADMIN)
    job = job_start(kind=PURGE_KIND, params=PurgeParams(older_than_days=30), actor=admin)

    threads = [t for t in threading.enumerate() if t.name == f"job-{job.pk}"]
    for thread in threads:
        thread.join(timeout=20)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.progress == 100


def test_hard_time_limit_from_celery_fails_the_job(planner, admin_user):
    job = JobRunFactory(created_by=planner, status=JobStatus.RUNNING, task_id="t-123")
    job.started_at = timezone.now() - dt.timedelta(seconds=70)
    job.save()

    task_failure.send(
        sender=None,
        task_id="t-123",
        exception=TimeLimitExceeded(70),
        args=[job.pk],
        kwargs={},
        einfo=None,
    )

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == (
        "Stopped: hard time limit of 70 s reached; the worker running it was killed."
    )
    assert job.wall_seconds >= 70
    assert Notification.objects.filter(user=admin_user, job=job).exists()


def test_task_failure_leaves_finished_jobs_alone(planner):
    job = FinishedJobRunFactory(created_by=planner, task_id="t-done")
    task_failure.send(sender=None, task_id="t-done", exception=RuntimeError("late"), args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED


def test_purge_deletes_old_finished_runs_and_their_files(
    admin_user, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    long_ago = timezone.now() - dt.timedelta(days=120)
    upload_dir = settings.MEDIA_ROOT / "imports" / "17"
    upload_dir.mkdir(parents=True)
    upload = upload_dir / "sales.csv"
    upload.write_text("store,sku,date,quantity\n")
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("not ours\n")
    old = FinishedJobRunFactory(
        kind="import", finished_at=long_ago, params={"paths": [str(upload), str(outside)]}
    )
    old_failed = FinishedJobRunFactory(status=JobStatus.FAILED, finished_at=long_ago)
    recent = FinishedJobRunFactory(finished_at=timezone.now() - dt.timedelta(days=5))
    stuck = JobRunFactory(status=JobStatus.RUNNING)
    JobRun.objects.filter(pk=stuck.pk).update(created_at=long_ago)
    note = NotificationFactory(user=admin_user, job=old_failed)
    seen = []

    with django_capture_on_commit_callbacks(execute=True):
        result = job_runs_purge(
            older_than_days=90, progress=lambda pct, msg: seen.append((pct, msg))
        )

    assert result["job_runs_deleted"] == 2
    assert result["files_deleted"] == 1
    assert set(JobRun.objects.values_list("pk", flat=True)) == {recent.pk, stuck.pk}
    assert not JobRun.objects.filter(pk=old.pk).exists()
    assert not upload.exists()
    assert not upload_dir.exists()
    assert (settings.MEDIA_ROOT / "imports").is_dir()
    assert outside.exists()
    note.refresh_from_db()
    assert note.job is None
    assert seen == [(100.0, "Deleted 2 of 2 job runs")]


def test_job_limit_set_applies_to_new_runs_and_is_audited(admin_user, settings):
    settings.JOB_DEFAULT_TIME_LIMIT_S = 3600
    assert job_create(kind="import", user=admin_user).time_limit_s == 3600

    with audit_context(actor=admin_user):
        job_limit_set(kind="import", time_limit_s=120, memory_limit_mb=512)
        job_limit_set(kind="import", time_limit_s=300, memory_limit_mb=1024)

    job = job_create(kind="import", user=admin_user)
    assert (job.time_limit_s, job.memory_limit_mb) == (300, 1024)
    entry = AuditEntry.objects.filter(object_type="job_limit").order_by("-id").first()
    assert entry.before["time_limit_s"] == 120
    assert entry.after["time_limit_s"] == 300
    assert entry.username == admin_user.username


def test_mark_read_touches_only_the_users_notifications(planner, admin_user):
    mine = NotificationFactory(user=planner)
    also_mine = NotificationFactory(user=planner)
    theirs = NotificationFactory(user=admin_user)

    assert notification_mark_read(user=planner, notification=mine) == 1
    assert notification_mark_read(user=planner, notification=theirs) == 0
    assert notification_mark_read(user=planner) == 1

    for note in (mine, also_mine, theirs):
        note.refresh_from_db()
    assert mine.read_at and also_mine.read_at
    assert theirs.read_at is None
