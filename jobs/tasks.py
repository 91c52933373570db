"""Celery tasks of the jobs app: purging old job runs, by hand or every night."""

from celery import shared_task
from django.conf import settings

from jobs.models import JobRun
from jobs.services import Progress, job_create, job_enqueue, job_execute, job_runs_purge

PURGE_KIND = "purge_old_jobs"


def _purge_work(job: JobRun, progress: Progress) -> dict:
    return job_runs_purge(older_than_days=job.params["older_than_days"], progress=progress)


@shared_task(name="jobs.purge_old_jobs")
def purge_old_jobs(job_id: int) -> None:
    job_execute(job_id=job_id, work=_purge_work)


@shared_task(name="jobs.purge_old_jobs_nightly")
def purge_old_jobs_nightly() -> None:
    """Beat entry point: a purge job run like one an admin starts, recorded the same way."""
    job = job_create(
        kind=PURGE_KIND, user=None, params={"older_than_days": settings.JOB_RETENTION_DAYS}
    )
    job_enqueue(job=job, task=purge_old_jobs)
