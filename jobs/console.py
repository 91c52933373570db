"""Progress of a job run from a management command, echoed on the console as it happens."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

ProgressCallback = Callable[[float, str], None]


def progress_echoed(progress: ProgressCallback, stdout: TextIO) -> ProgressCallback:
    """``progress``, also writing each message to ``stdout``.

    Commands start their jobs with ``job_start(..., echo=self.stdout)``: the run is recorded
    on the Jobs page with its timings and resource use, exactly as on a Celery worker, and
    the operator sees it move.
    """

    def echo(percent: float, message: str = "") -> None:
        progress(percent, message)
        if message:
            stdout.write(f"[{percent:5.1f}%] {message}")

    return echo
