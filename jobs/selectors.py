"""Reads of job runs and notifications, already narrowed to what a user may see."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from accounts.models import Role
from accounts.roles import user_roles
from jobs.models import JobLimit, JobRun, Notification


def jobs_visible_to(user) -> QuerySet[JobRun]:
    """Admins see every job run; a planner the runs they started; anyone else none.

    Job runs are the actor's own work, not regional data, so they follow the role and the
    owner rather than the planning scope.
    """
    runs = JobRun.objects.select_related("created_by")
    roles = user_roles(user)
    if Role.ADMIN in roles:
        return runs
    if Role.PLANNER in roles:
        return runs.filter(created_by=user)
    return runs.none()


def notifications_for(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).select_related("job")


def job_limits(kind: str) -> tuple[int, int]:
    """The (time limit s, memory limit MB) for a kind of job: an admin's, else the defaults."""
    limit = JobLimit.objects.filter(kind=kind).first()
    if limit:
        return limit.time_limit_s, limit.memory_limit_mb
    return settings.JOB_DEFAULT_TIME_LIMIT_S, settings.JOB_DEFAULT_MEMORY_LIMIT_MB


def job_kinds_known() -> list[str]:
    """Every kind that has run or has limits, for the limits form's suggestions."""
    kinds = set(JobRun.objects.values_list("kind", flat=True).distinct())
    kinds |= set(JobLimit.objects.values_list("kind", flat=True))
    return sorted(kinds)


def job_limit_initial(kind: str) -> dict[str, Any]:
    """The limits form filled in with one kind's current limits (the defaults if unset)."""
    if not kind:
        return {}
    time_limit_s, memory_limit_mb = job_limits(kind)
    return {"kind": kind, "time_limit_s": time_limit_s, "memory_limit_mb": memory_limit_mb}


def job_limits_overview() -> dict[str, Any]:
    """The defaults and each kind's effective limits, marking those an admin set."""
    custom = {limit.kind: limit for limit in JobLimit.objects.all()}
    rows = []
    for kind in job_kinds_known():
        limit = custom.get(kind)
        rows.append(
            {
                "kind": kind,
                "custom": limit is not None,
                "time_limit_s": limit.time_limit_s if limit else settings.JOB_DEFAULT_TIME_LIMIT_S,
                "memory_limit_mb": (
                    limit.memory_limit_mb if limit else settings.JOB_DEFAULT_MEMORY_LIMIT_MB
                ),
            }
        )
    return {
        "default_time_limit_s": settings.JOB_DEFAULT_TIME_LIMIT_S,
        "default_memory_limit_mb": settings.JOB_DEFAULT_MEMORY_LIMIT_MB,
        "rows": rows,
    }
