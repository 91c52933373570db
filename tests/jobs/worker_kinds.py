"""A job kind of the tests' own, registered on import (the test and, through ``--include``,
the real Celery worker import this module)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from jobs.models import JobRun
from jobs.registry import JobParams, job_kind_register
from jobs.services import Progress

COUNT_KIND = "test_count"


@dataclass(frozen=True)
class CountParams(JobParams):
    """Count up to ``to`` in ``steps`` steps, pausing ``pause_s`` between them."""

    to: int
    steps: tuple[int, ...] = ()
    pause_s: float = 0.0

    def __post_init__(self) -> None:
        if self.to < 1:
            raise ValueError("to must be at least 1")
        self._normalise("steps", tuple(int(s) for s in self.steps) or (self.to,))


def count_work(job: JobRun, params: CountParams, progress: Progress) -> dict:
    total = 0
    for step in params.steps:
        total += step
        progress(100 * total / params.to, f"Counted {total} of {params.to}")
        time.sleep(params.pause_s)
    return {"counted": total, "steps": list(params.steps), "worker": job.worker}


job_kind_register(name=COUNT_KIND, params=CountParams, work=count_work)
