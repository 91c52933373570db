"""Keeping the summary tables in step with the sales and forecasts they summarise.

``history.signals.sales_changed`` names the store × category cells whose sales changed,
however they changed; this app rebuilds exactly those cells (from the day cells the signal
carries after a bulk write, summed once for every summary). ``forecast_finished`` rebuilds
the monthly sums of the finished run's granularity. A change of the company's week end
(``Company.week_ends_on``) re-buckets every week cell.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from dashboards.services import (
    monthly_forecast_refresh,
    sales_summaries_refresh,
    weekly_cells_follow_calendar,
)
from forecasting.models import ForecastRun
from forecasting.signals import forecast_finished
from history.signals import sales_changed
from masterdata.models import Company


@receiver(sales_changed)
def _sales_changed(
    sender, *, store_ids=None, category_ids=None, day_cells: str | None = None, **kwargs: Any
) -> None:
    sales_summaries_refresh(store_ids=store_ids, category_ids=category_ids, day_cells=day_cells)


@receiver(forecast_finished, sender=ForecastRun)
def _forecast_finished(sender, *, run: ForecastRun, **kwargs: Any) -> None:
    monthly_forecast_refresh(run.granularity)


@receiver(post_save, sender=Company)
def _company_saved(sender, *, instance: Company, **kwargs: Any) -> None:
    weekly_cells_follow_calendar()
