"""Celery task that loads the demo company as a job run."""

from celery import shared_task

from demo.jobs import demo_load_work
from jobs.services import job_execute


@shared_task(name="demo.load")
def demo_load(job_id: int) -> None:
    job_execute(job_id=job_id, work=demo_load_work)
