"""Writing the audit log. Callers run ``audit_record`` inside the transaction of the change,
so an entry exists exactly when the change was committed."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from audit.models import AuditEntry

REQUEST_ID_HEADERS = ("HTTP_X_REQUEST_ID", "HTTP_X_CORRELATION_ID")


def _json_safe(value: Any) -> Any:
    """Dates, decimals and UUIDs as JSON text, so any snapshot fits a JSONField."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _request_id(request) -> str:
    if request is None:
        return ""
    for header in REQUEST_ID_HEADERS:
        if request.META.get(header):
            return str(request.META[header])[:64]
    return ""


def audit_snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of ``instance`` as a JSON-ready dict; foreign keys by their id."""
    snapshot = {}
    for name in fields:
        field = instance._meta.get_field(name)
        snapshot[name] = getattr(instance, field.attname)
    return _json_safe(snapshot)


def audit_record(
    *,
    user,
    action: str,
    obj_type: str,
    obj_id: str | int = "",
    obj_repr: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    request=None,
) -> AuditEntry:
    """Append one entry: who did ``action`` to which object, and its state before and after."""
    actor = user if user is not None and user.is_authenticated else None
    return AuditEntry.objects.create(
        user=actor,
        username=actor.get_username() if actor else "",
        action=action[:40],
        object_type=obj_type[:80],
        object_id=str(obj_id)[:64],
        object_repr=str(obj_repr)[:200],
        before=_json_safe(before),
        after=_json_safe(after),
        request_id=_request_id(request),
    )
