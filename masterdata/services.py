"""Admin edits of master data. The audit app records each change (stores and SKUs are in
``settings.AUDITED_MODELS``) with the fields before and after and who made it."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from accounts.versions import check_version, row_values
from masterdata.forms import SKU_FIELDS, STORE_FIELDS
from masterdata.models import SKU, Company, Store, Weekday


def _update(
    *,
    instance: models.Model,
    fields: list[str],
    changes: dict[str, Any],
    expected_version: str | None,
) -> models.Model:
    """Lock the row, apply ``changes`` (only ``fields`` may change), validate and save.

    With ``expected_version`` (an edit form's), a row changed since the form was shown is
    not written: ``StaleEdit`` carries its current values instead.
    """
    locked = type(instance).objects.select_for_update().get(pk=instance.pk)
    check_version(expected=expected_version, current=row_values(locked, fields))
    for name, value in changes.items():
        if name not in fields:
            raise ValueError(f"{type(instance).__name__} field {name!r} cannot be edited here.")
        setattr(locked, name, value)
    locked.full_clean()
    locked.save(update_fields=list(changes))
    return locked


@transaction.atomic
def store_update(
    *, store: Store, changes: dict[str, Any], expected_version: str | None = None
) -> Store:
    return _update(
        instance=store, fields=STORE_FIELDS, changes=changes, expected_version=expected_version
    )


@transaction.atomic
def sku_update(*, sku: SKU, changes: dict[str, Any], expected_version: str | None = None) -> SKU:
    return _update(
        instance=sku, fields=SKU_FIELDS, changes=changes, expected_version=expected_version
    )


@transaction.atomic
def company_week_end_set(*, weekday: int) -> Company:
    """Set the weekday the company's weeks end on (0 Monday … 6 Sunday); saving the row
    lets the weekly summaries re-bucket (``dashboards.receivers``)."""
    if weekday not in Weekday.values:
        raise ValueError(f"A week ends on a weekday 0 (Monday) to 6 (Sunday), not {weekday!r}.")
    company = Company.objects.select_for_update().get(pk=Company.current().pk)
    if company.week_ends_on != weekday:
        company.week_ends_on = weekday
        company.save(update_fields=["week_ends_on"])
    return company
