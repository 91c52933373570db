"""Keeping the summary tables in step with the sales and forecasts they summarise.

``history.signals.sales_changed`` names the store × category cells whose sales changed,
however they changed; this app rebuilds exactly those cells. ``forecast_finished`` rebuilds
the monthly sums of the finished run's granularity.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from dashboards.services import monthly_forecast_refresh, sales_summaries_refresh
from forecasting.models import ForecastRun
from forecasting.signals import forecast_finished
from history.signals import sales_changed


@receiver(sales_changed)
def _sales_changed(sender, *, store_ids=None, category_ids=None, **kwargs: Any) -> None:
    sales_summaries_refresh(store_ids=store_ids, category_ids=category_ids)


@receiver(forecast_finished, sender=ForecastRun)
def _forecast_finished(sender, *, run: ForecastRun, **kwargs: Any) -> None:
    monthly_forecast_refresh(run.granularity)
