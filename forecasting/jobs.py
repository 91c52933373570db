"""Forecasting's job kinds, registered when the app is ready."""

from forecasting.job_params import ForecastParams
from forecasting.services import FORECAST_KIND, forecast_chunks_help, forecast_job_work
from jobs.registry import job_kind_register

job_kind_register(
    name=FORECAST_KIND,
    params=ForecastParams,
    work=forecast_job_work,
    helper=forecast_chunks_help,
)
