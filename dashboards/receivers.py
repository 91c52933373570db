"""Keeping the sales summary tables in step with the sales they summarise.

``history.signals.sales_changed`` names the store × category cells whose sales changed,
however they changed; this app rebuilds exactly those cells. A change of the company's week
end (``Company.week_ends_on``) re-buckets every week cell.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from dashboards.services import sales_summaries_refresh, weekly_cells_follow_calendar
from history.signals import sales_changed
from masterdata.models import Company


@receiver(sales_changed)
def _sales_changed(sender, *, store_ids=None, category_ids=None, **kwargs: Any) -> None:
    sales_summaries_refresh(store_ids=store_ids, category_ids=category_ids)


@receiver(post_save, sender=Company)
def _company_saved(sender, *, instance: Company, **kwargs: Any) -> None:
    weekly_cells_follow_calendar()
