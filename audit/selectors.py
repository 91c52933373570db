"""Reading the audit log with the filters of the audit page."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from audit.models import AuditEntry


def audit_entries(
    *,
    username: str = "",
    object_type: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.all()
    if username:
        entries = entries.filter(username=username)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if date_from:
        entries = entries.filter(created_at__date__gte=date_from)
    if date_to:
        entries = entries.filter(created_at__date__lte=date_to)
    return entries


def audit_object_types() -> list[str]:
    return list(
        AuditEntry.objects.order_by("object_type").values_list("object_type", flat=True).distinct()
    )


def audit_usernames() -> list[str]:
    return list(
        AuditEntry.objects.exclude(username="")
        .order_by("username")
        .values_list("username", flat=True)
        .distinct()
    )


def entry_changes(entry: AuditEntry) -> list[tuple[str, object, object]]:
    """The fields that differ between ``before`` and ``after``, as (field, old, new)."""
    before, after = entry.before or {}, entry.after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return [("value", before, after)]
    keys = list(dict.fromkeys([*before, *after]))
    return [
        (key, before.get(key), after.get(key)) for key in keys if before.get(key) != after.get(key)
    ]
