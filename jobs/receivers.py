"""Celery signal receivers that keep job runs truthful when a task dies outside its code."""

from celery.exceptions import TimeLimitExceeded
from celery.signals import task_failure

from jobs.services import job_fail_for_task


@task_failure.connect
def job_fail_on_task_failure(sender=None, task_id=None, exception=None, **kwargs) -> None:
    """A task failed before ``job_execute`` could record it (a hard time limit killed the
    worker, or the bookkeeping itself broke): fail its job run so pages stop polling."""
    if isinstance(exception, TimeLimitExceeded):
        seconds = f" of {exception.args[0]:.0f} s" if exception.args else ""
        job_fail_for_task(
            task_id=task_id,
            error="",
            stop_reason=f"hard time limit{seconds} reached; the worker running it was killed",
        )
    else:
        job_fail_for_task(task_id=task_id, error=f"{type(exception).__name__}: {exception}")
