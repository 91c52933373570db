"""Turning every way sales can change into one ``sales_changed`` signal of the cells it hit.

Bulk writers announce themselves with ``facts_changed``; a single sale saved through the ORM
(a test factory, the shell) with Django's ``post_save``; a SKU moving to another category
moves its sales between cells. No ``post_delete`` receiver: it would turn the cascade of a
store's deletion into one query per fact; summaries cascade with the store themselves.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from history.day_cells import sales_day_cells
from history.models import SalesFact
from history.signals import facts_changed, sales_changed, sku_regrouped
from masterdata.models import SKU

# Writes to these tables can change which cell a sale belongs to, or its figures.
_SUMMARISED = {"sales", "skus"}
_CATEGORY_BEFORE = "_history_category_before"


@receiver(facts_changed)
def _facts_changed(sender, *, written: dict[str, int], store_ids=None, **kwargs: Any) -> None:
    """The stores a bulk write wrote sales for; every cell when SKUs changed (one may have
    moved category, at every store) or when the writer did not say which stores."""
    if not _SUMMARISED & {table for table, rows in written.items() if rows}:
        return
    store_ids = None if written.get("skus") or store_ids is None else store_ids
    with sales_day_cells(store_ids=store_ids) as day_cells:
        sales_changed.send(
            sender=SalesFact, store_ids=store_ids, category_ids=None, day_cells=day_cells
        )


@receiver(post_save, sender=SalesFact)
def _sale_saved(sender, instance: SalesFact, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    category_ids = list(
        SKU.objects.filter(pk=instance.sku_id).values_list("category_id", flat=True)
    )
    sales_changed.send(sender=SalesFact, store_ids=[instance.store_id], category_ids=category_ids)


@receiver(pre_save, sender=SKU)
def _sku_category_before(sender, instance: SKU, raw: bool = False, **kwargs: Any) -> None:
    before = None
    if not raw and instance.pk is not None:
        before = SKU.objects.filter(pk=instance.pk).values_list("category_id", flat=True).first()
    setattr(instance, _CATEGORY_BEFORE, before)


@receiver(post_save, sender=SKU)
def _sku_saved(sender, instance: SKU, created: bool, raw: bool = False, **kwargs: Any) -> None:
    before = getattr(instance, _CATEGORY_BEFORE, None)
    if raw or created or before is None or before == instance.category_id:
        return
    moved = [before, instance.category_id]
    sku_regrouped.send(sender=SKU, category_ids=moved)
    sales_changed.send(sender=SalesFact, store_ids=None, category_ids=moved)
