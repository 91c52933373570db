"""Celery task that runs a queued import job."""

from celery import shared_task

from imports.services import import_job_work
from jobs.services import job_execute


@shared_task(name="imports.import_run")
def import_run(job_id: int) -> None:
    job_execute(job_id=job_id, work=import_job_work)
