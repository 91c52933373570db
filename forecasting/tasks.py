"""Celery tasks of forecasting: thin wrappers that call services with ids."""

from celery import shared_task

from forecasting import services
from forecasting.accuracy import live_accuracy_refresh
from jobs.services import job_execute


@shared_task(name="forecasting.run")
def forecast_run(job_id: int) -> None:
    job_execute(job_id=job_id, work=services.forecast_job_work)


@shared_task(name="forecasting.help_chunks")
def forecast_chunks_help(run_id: int) -> int:
    return services.forecast_chunks_help(run_id=run_id)


@shared_task(name="forecasting.refresh")
def forecast_scheduled_refresh(granularity: str = "D", reselect: bool = False) -> int:
    """The periodic refresh: score yesterday's forecasts, then forecast again.

    Daily runs keep each series' selected model and refit it on the newest actuals; the
    monthly run (``reselect=True``) backtests every candidate again.
    """
    for grain in ("D", "W"):
        live_accuracy_refresh(granularity=grain)
    job = services.forecast_job_start(user=None, granularity=granularity, reselect=reselect)
    return job.pk
