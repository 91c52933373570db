"""Admin edits of master data, each audited with the fields before and after."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from accounts.versions import check_version, row_values
from audit.services import audit_record, audit_snapshot
from masterdata.forms import SKU_FIELDS, STORE_FIELDS
from masterdata.models import SKU, Store


def _update_audited(
    *,
    actor,
    instance: models.Model,
    fields: list[str],
    changes: dict[str, Any],
    obj_type: str,
    request,
    expected_version: str | None,
) -> models.Model:
    """Lock the row, apply ``changes``, validate, save and audit in one transaction.

    With ``expected_version`` (an edit form's), a row changed since the form was shown is
    not written: ``StaleEdit`` carries its current values instead.
    """
    locked = type(instance).objects.select_for_update().get(pk=instance.pk)
    check_version(expected=expected_version, current=row_values(locked, fields))
    before = audit_snapshot(locked, fields)
    for name, value in changes.items():
        if name not in fields:
            raise ValueError(f"{obj_type} field {name!r} cannot be edited here.")
        setattr(locked, name, value)
    locked.full_clean()
    locked.save(update_fields=list(changes))
    after = audit_snapshot(locked, fields)
    if after != before:
        audit_record(
            user=actor,
            action="update",
            obj_type=obj_type,
            obj_id=locked.pk,
            obj_repr=str(locked),
            before=before,
            after=after,
            request=request,
        )
    return locked


@transaction.atomic
def store_update(
    *,
    actor,
    store: Store,
    changes: dict[str, Any],
    request=None,
    expected_version: str | None = None,
) -> Store:
    return _update_audited(
        actor=actor,
        instance=store,
        fields=STORE_FIELDS,
        changes=changes,
        obj_type="store",
        request=request,
        expected_version=expected_version,
    )


@transaction.atomic
def sku_update(
    *,
    actor,
    sku: SKU,
    changes: dict[str, Any],
    request=None,
    expected_version: str | None = None,
) -> SKU:
    return _update_audited(
        actor=actor,
        instance=sku,
        fields=SKU_FIELDS,
        changes=changes,
        obj_type="sku",
        request=request,
        expected_version=expected_version,
    )
