"""Admin edits of master data. The audit app records each change (stores and SKUs are in
``settings.AUDITED_MODELS``) with the fields before and after and who made it."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from masterdata.forms import SKU_FIELDS, STORE_FIELDS
from masterdata.models import SKU, Store


def _update(*, instance: models.Model, fields: list[str], changes: dict[str, Any]) -> models.Model:
    """Lock the row, apply ``changes`` (only ``fields`` may change), validate and save."""
    locked = type(instance).objects.select_for_update().get(pk=instance.pk)
    for name, value in changes.items():
        if name not in fields:
            raise ValueError(f"{type(instance).__name__} field {name!r} cannot be edited here.")
        setattr(locked, name, value)
    locked.full_clean()
    locked.save(update_fields=list(changes))
    return locked


@transaction.atomic
def store_update(*, store: Store, changes: dict[str, Any]) -> Store:
    return _update(instance=store, fields=STORE_FIELDS, changes=changes)


@transaction.atomic
def sku_update(*, sku: SKU, changes: dict[str, Any]) -> SKU:
    return _update(instance=sku, fields=SKU_FIELDS, changes=changes)
