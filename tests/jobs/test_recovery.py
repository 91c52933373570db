"""Recovery from killed workers: heartbeats, takeovers, the reaper and the job's log."""

import datetime as dt
import os
import socket

import pytest
from django.utils import timezone

from forecasting.models import ForecastChunk, ForecastRun
from forecasting.services import forecast_chunk_claim
from jobs.heartbeat import STALE_AFTER, heartbeat, heartbeats_on, holder_is_dead_here
from jobs.models import JobRun, JobStatus, Notification
from jobs.services import MAX_ATTEMPTS, job_execute, job_runs_requeue_lost
from tests.jobs.factories import JobRunFactory

LONG_AGO = dt.timedelta(minutes=5)


def _dead_pid() -> int:
    """A process id of this machine that no process holds."""
    pid = 4_000_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid -= 1


class RecordingCelery:
    def __init__(self):
        self.calls = []

    def send_task(self, name, **options):
        self.calls.append((name, options))


@pytest.fixture
def celery(monkeypatch, settings):
    settings.SOP_JOBS_MODE = "celery"
    recording = RecordingCelery()
    monkeypatch.setattr("jobs.services.current_app", recording)
    return recording


def _running(**fields) -> JobRun:
    defaults = {
        "status": JobStatus.RUNNING,
        "attempts": 1,
        "task_id": "old-task",
        "worker": "gone-host:123",
        "started_at": timezone.now() - LONG_AGO,
        "heartbeat_at": timezone.now() - LONG_AGO,
    }
    return JobRunFactory(**{**defaults, **fields})


def test_reaper_requeues_a_job_whose_worker_went_silent(
    db, celery, django_capture_on_commit_callbacks
):
    lost = _running()
    alive = _running(heartbeat_at=timezone.now())
    local = _running(task_id="")  # ran in a thread or a command: nobody else may take it

    with django_capture_on_commit_callbacks(execute=True):
        assert job_runs_requeue_lost() == [lost.pk]

    lost.refresh_from_db()
    assert lost.status == JobStatus.QUEUED
    assert lost.task_id != "old-task"
    assert lost.message == f"Requeued after worker lost (attempt 1 of {MAX_ATTEMPTS})"
    assert "Requeued after worker lost (gone-host:123" in lost.log[-1]["event"]
    assert celery.calls == [
        ("jobs.run", {"args": [lost.pk], "task_id": lost.task_id, "soft_time_limit": 3600,
                      "time_limit": 3660})
    ]  # fmt: skip
    for job in (alive, local):
        job.refresh_from_db()
        assert job.status == JobStatus.RUNNING


def test_reaper_gives_up_after_max_attempts(db, celery, admin_user):
    lost = _running(attempts=MAX_ATTEMPTS)
    assert job_runs_requeue_lost() == []
    lost.refresh_from_db()
    assert lost.status == JobStatus.FAILED
    assert lost.error == (
        f"Stopped: the worker running it was lost {MAX_ATTEMPTS} times; not tried again."
    )
    assert Notification.objects.filter(job=lost, user=admin_user).exists()
    assert celery.calls == []


def test_requeued_job_runs_once_and_its_page_says_what_happened(db, client, admin_user):
    job = _running(status=JobStatus.QUEUED, task_id="new-task")
    calls = []

    def work(job_run, progress):
        calls.append(1)
        return {"ok": True}

    # The old delivery, come back after the broker's visibility timeout, is skipped.
    assert job_execute(job_id=job.pk, work=work, task_id="old-task").status == JobStatus.QUEUED
    done = job_execute(job_id=job.pk, work=work, task_id="new-task")
    assert calls == [1]
    assert done.status == JobStatus.SUCCEEDED and done.attempts == 2
    assert done.log[-1]["event"].endswith(f"(attempt 2 of {MAX_ATTEMPTS})")

    JobRun.objects.filter(pk=job.pk).update(
        log=[{"at": "2026-01-01T00:00:00", "event": "Requeued after worker lost (w1)"}, *done.log]
    )
    client.force_login(admin_user)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "What happened" in page and "Requeued after worker lost (w1)" in page
    assert "(attempt 2)" in page


def test_delivery_for_a_job_a_live_worker_runs_is_skipped(db):
    job = _running(heartbeat_at=timezone.now(), worker="elsewhere:1")
    calls = []
    again = job_execute(job_id=job.pk, work=lambda j, p: calls.append(1), task_id="old-task")
    assert calls == [] and again.status == JobStatus.RUNNING and again.attempts == 1


def test_redelivery_takes_over_at_once_from_a_dead_process_of_this_machine(db):
    dead = f"{socket.gethostname()}:{_dead_pid()}"
    assert holder_is_dead_here(dead)
    assert not holder_is_dead_here(f"{socket.gethostname()}:{os.getpid()}")
    job = _running(heartbeat_at=timezone.now(), worker=dead)
    done = job_execute(job_id=job.pk, work=lambda j, p: {"ok": True}, task_id="old-task")
    assert done.status == JobStatus.SUCCEEDED and done.attempts == 2
    assert any(f"Worker {dead} lost; taken over" == e["event"] for e in done.log)


def test_chunk_claims_take_over_only_abandoned_chunks(db):
    run = ForecastRun.objects.create(granularity="D", horizon=7, windows=1, origin=dt.date.today())
    now = timezone.now()
    fresh = ForecastChunk.objects.create(
        run=run, index=0, store_ids=[1], status="running", worker="w:1", heartbeat_at=now
    )
    silent = ForecastChunk.objects.create(
        run=run,
        index=1,
        store_ids=[2],
        status="running",
        worker="w:2",
        heartbeat_at=now - STALE_AFTER - dt.timedelta(seconds=1),
    )
    dead_here = ForecastChunk.objects.create(
        run=run,
        index=2,
        store_ids=[3],
        status="running",
        worker=f"{socket.gethostname()}:{_dead_pid()}",
        heartbeat_at=now,
    )
    assert forecast_chunk_claim(run=run).pk == silent.pk
    assert forecast_chunk_claim(run=run).pk == dead_here.pk
    assert forecast_chunk_claim(run=run) is None
    fresh.refresh_from_db()
    assert fresh.worker == "w:1"


@pytest.mark.django_db(transaction=True)
def test_heartbeat_beats_only_on_workers():
    beats = []
    with heartbeat(lambda: beats.append(1), interval_s=0.01):
        timezone.now()
    assert beats == []
    with heartbeats_on(), heartbeat(lambda: beats.append(1), interval_s=0.01):
        import time

        time.sleep(0.2)
    assert len(beats) >= 3
