"""The Celery tasks of every job: one generic runner, its helpers, beat's entry, the reaper.

Apps add no tasks of their own: they register kinds in ``jobs.registry`` and these tasks run
any of them. Tasks receive ids and call services.
"""

from celery import shared_task

from jobs.registry import job_kind_get
from jobs.services import job_help, job_run, job_runs_requeue_lost, job_start


@shared_task(name="jobs.run", bind=True)
def job_run_task(self, job_id: int) -> None:
    job_run(job_id=job_id, task_id=self.request.id or "", on_worker=True)


@shared_task(name="jobs.help")
def job_help_task(job_id: int) -> None:
    job_help(job_id=job_id)


@shared_task(name="jobs.start")
def job_start_task(kind: str, params: dict | None = None) -> int:
    """Celery beat's entry point: start a job of ``kind`` as an admin would, recorded the
    same way (the schedule's kwargs hold the kind and its params as JSON)."""
    registered = job_kind_get(kind)
    return job_start(kind=kind, params=registered.params.from_json(params), actor=None).pk


@shared_task(name="jobs.requeue_lost")
def job_requeue_lost_task() -> list[int]:
    return job_runs_requeue_lost()
