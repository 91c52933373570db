"""The one mechanism that records changes of audited models: model signals → audit entries.

A save, a delete or a change of a many-to-many field of a model in ``AUDITED_MODELS`` writes
one entry with the recorded fields before and after, attributed to the actor and request id
of the current audit context. The entry is written by the signal, inside the transaction of
the change, so it exists exactly when the change was committed. Bulk writes (``bulk_create``,
``QuerySet.update``, the imports' upserts) send no signals: an import records itself as one
entry instead.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from audit.context import current_context
from audit.registry import AuditedModel, audited_model
from audit.services import audit_record

# Values before a save or a many-to-many change, kept on the instance until its post signal.
BEFORE_SAVE = "_audit_before_save"
BEFORE_M2M = "_audit_before_m2m"

_audited: dict[type[models.Model], AuditedModel] = {}
_through: dict[type[models.Model], tuple[AuditedModel, str]] = {}


def connect_audited_models(config: dict[str, dict[str, Any]]) -> None:
    """Follow every model of ``config`` (``settings.AUDITED_MODELS``); once, at start-up."""
    for label, options in config.items():
        audited = audited_model(label, options)
        model = audited.model
        _audited[model] = audited
        uid = f"audit:{model._meta.label}"
        pre_save.connect(_before_save, sender=model, dispatch_uid=uid)
        post_save.connect(_after_save, sender=model, dispatch_uid=uid)
        post_delete.connect(_after_delete, sender=model, dispatch_uid=uid)
        for name in audited.m2m:
            through = model._meta.get_field(name).remote_field.through
            _through[through] = (audited, name)
            m2m_changed.connect(_m2m_changed, sender=through, dispatch_uid=f"{uid}.{name}")


def _record(
    audited: AuditedModel,
    instance: models.Model,
    *,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    audit_record(
        action=action,
        obj_type=audited.object_type,
        obj_id=audited.object_id(instance),
        obj_repr=audited.describe(instance),
        before=before,
        after=after,
    )


def _before_save(sender, instance, raw, using, update_fields, **kwargs) -> None:
    audited = _audited[sender]
    if raw or current_context() is None or not audited.touches(update_fields):
        return
    adding = instance._state.adding or instance.pk is None
    before = None if adding else audited.stored_values(instance.pk, using)
    setattr(instance, BEFORE_SAVE, before)


def _after_save(sender, instance, created, raw, using, update_fields, **kwargs) -> None:
    audited = _audited[sender]
    if raw or current_context() is None or not audited.touches(update_fields):
        return
    before = instance.__dict__.pop(BEFORE_SAVE, None)
    after = audited.values(instance)
    if created or before is None:
        _record(audited, instance, action="create", before=None, after=audited.shown(after, {}))
    elif after != before:
        _record(
            audited,
            instance,
            action="update",
            before=audited.shown(before),
            after=audited.shown(after, before),
        )


def _after_delete(sender, instance, using, **kwargs) -> None:
    if current_context() is None:
        return
    audited = _audited[sender]
    before = audited.shown(audited.values(instance))
    _record(audited, instance, action="delete", before=before, after=None)


def _m2m_owners(
    audited: AuditedModel, field: str, instance, reverse: bool, pk_set, using: str
) -> list[models.Model]:
    """The audited objects whose field changes: the instance, or from the other side of the
    relation (``group.user_set.add(user)``) the objects named in ``pk_set``."""
    if not reverse:
        return [instance]
    owners = audited.model._base_manager.using(using)
    if pk_set is None:  # a clear from the other side touches every object related to it
        return list(owners.filter(**{field: instance}))
    return list(owners.filter(pk__in=pk_set))


def _m2m_changed(sender, instance, action, reverse, pk_set, using, **kwargs) -> None:
    if current_context() is None:
        return
    audited, field = _through[sender]
    phase = action.partition("_")[0]
    if phase == "pre":
        owners = _m2m_owners(audited, field, instance, reverse, pk_set, using)
        pending = instance.__dict__.setdefault(BEFORE_M2M, {})
        pending[sender] = [(owner, audited.members(owner, field)) for owner in owners]
        return
    for owner, before in instance.__dict__.get(BEFORE_M2M, {}).pop(sender, []):
        after = audited.members(owner, field)
        if after != before:
            _record(audited, owner, action="update", before={field: before}, after={field: after})
