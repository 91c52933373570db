"""Keeping the sales summary tables in step with the sales they summarise.

``history.signals.sales_changed`` names the store × category cells whose sales changed,
however they changed; this app rebuilds exactly those cells.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from dashboards.services import sales_summaries_refresh
from history.signals import sales_changed


@receiver(sales_changed)
def _sales_changed(sender, *, store_ids=None, category_ids=None, **kwargs: Any) -> None:
    sales_summaries_refresh(store_ids=store_ids, category_ids=category_ids)
