"""Reads of the imports app."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.roles import ADMIN_ROLES, has_role
from jobs.models import JobRun


def recent_imports(*, user, limit: int = 50) -> QuerySet[JobRun]:
    """The latest import job runs; only admins import, so only admins see them."""
    if not has_role(user, *ADMIN_ROLES):
        return JobRun.objects.none()
    return JobRun.objects.filter(kind="import").select_related("created_by")[:limit]
