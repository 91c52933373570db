"""The purge job: delete finished job runs past the retention period, with their files."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from jobs.models import JobRun
from jobs.registry import JobParams, job_kind_register
from jobs.services import Progress, job_runs_purge

PURGE_KIND = "purge_old_jobs"
MAX_DAYS = 3650


def _retention_days() -> int:
    return settings.JOB_RETENTION_DAYS


@dataclass(frozen=True)
class PurgeParams(JobParams):
    """Finished runs older than ``older_than_days`` go (default: ``JOB_RETENTION_DAYS``)."""

    older_than_days: int = field(default_factory=_retention_days)

    def __post_init__(self) -> None:
        if isinstance(self.older_than_days, bool) or not isinstance(self.older_than_days, int):
            raise ValueError("older_than_days must be a whole number of days")
        if not 1 <= self.older_than_days <= MAX_DAYS:
            raise ValueError(f"older_than_days must be between 1 and {MAX_DAYS}")


def purge_work(job: JobRun, params: PurgeParams, progress: Progress) -> dict:
    return job_runs_purge(older_than_days=params.older_than_days, progress=progress)


job_kind_register(name=PURGE_KIND, params=PurgeParams, work=purge_work)
