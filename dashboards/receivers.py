"""Keeping the summary tables in step with the facts they summarise.

Bulk writers (imports, the demo load) announce themselves with ``history.signals.
facts_changed``; a single sale saved through the ORM (a test factory, the shell) with
Django's ``post_save``. A SKU moving to another category moves its sales between cells.
No ``post_delete`` receiver: it would turn the cascade of a store's deletion into one query
per fact; the summaries' own foreign keys cascade with the store.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from dashboards.services import sales_summaries_refresh
from forecasting.signals import forecast_finished
from history.models import SalesFact
from history.signals import facts_changed
from masterdata.models import SKU

# Writes to these tables can change which cell a sale belongs to, or its figures.
_SUMMARISED = {"sales", "skus"}


@receiver(facts_changed)
def _facts_changed(sender, *, written: dict[str, int], store_ids=None, **kwargs: Any) -> None:
    """Rebuild the stores an import wrote sales for; everything when SKUs changed (one may
    have moved category, at every store) or when the writer did not say which stores."""
    if not _SUMMARISED & {table for table, rows in written.items() if rows}:
        return
    if written.get("skus") or store_ids is None:
        sales_summaries_refresh()
    else:
        sales_summaries_refresh(store_ids=store_ids)


@receiver(post_save, sender=SalesFact)
def _sale_saved(sender, instance: SalesFact, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    category_id = SKU.objects.filter(pk=instance.sku_id).values_list("category_id", flat=True)
    sales_summaries_refresh(store_ids=[instance.store_id], category_ids=list(category_id))


@receiver(pre_save, sender=SKU)
def _sku_category_before(sender, instance: SKU, raw: bool = False, **kwargs: Any) -> None:
    instance._category_before = (
        None
        if raw or instance.pk is None
        else SKU.objects.filter(pk=instance.pk).values_list("category_id", flat=True).first()
    )


@receiver(post_save, sender=SKU)
def _sku_saved(sender, instance: SKU, created: bool, raw: bool = False, **kwargs: Any) -> None:
    before = getattr(instance, "_category_before", None)
    if raw or created or before is None or before == instance.category_id:
        return
    sales_summaries_refresh(category_ids=[before, instance.category_id])


@receiver(forecast_finished)
def _forecast_finished(sender, *, run, **kwargs: Any) -> None:
    """Nothing summarised from forecasts yet: kept as the hook for forecast KPIs."""
