"""Running a job from a management command: recorded like any job, progress on the console."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from jobs.models import JobRun
from jobs.services import Progress, job_execute

Work = Callable[[JobRun, Callable[[float, str], None]], dict | None]


def job_execute_with_echo(*, job: JobRun, work: Work, stdout: TextIO) -> JobRun:
    """Execute ``job`` in this process, writing each progress message to ``stdout``.

    Commands use it so that what they do shows up on the Jobs page with its timings and
    resource use, exactly as when the same work runs on a Celery worker.
    """

    def echoed(job_run: JobRun, progress: Progress) -> dict | None:
        def echo(percent: float, message: str = "") -> None:
            progress(percent, message)
            if message:
                stdout.write(f"[{percent:5.1f}%] {message}")

        return work(job_run, echo)

    return job_execute(job_id=job.pk, work=echoed)
