"""The parameters of an anomaly scan job, typed and validated, as stored on its job row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from anomalies.models import ScanMode
from jobs.registry import JobParams


def _date(name: str, value) -> str | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ValueError(f"{name} must be a date as YYYY-MM-DD, not {value!r}") from None


@dataclass(frozen=True)
class AnomalyScanParams(JobParams):
    """Which periods to score.

    ``full``: the whole history (after the first weeks the baseline needs); ``incremental``
    and ``scheduled``: the periods after the last scan's ``date_to`` (the watermark).
    ``date_from``/``date_to`` (YYYY-MM-DD) narrow any mode to a range.
    """

    mode: str = ScanMode.INCREMENTAL
    date_from: str | None = None
    date_to: str | None = None

    def __post_init__(self) -> None:
        if self.mode not in ScanMode.values:
            raise ValueError(f"mode must be one of {', '.join(ScanMode.values)}, not {self.mode!r}")
        self._normalise("date_from", _date("date_from", self.date_from))
        self._normalise("date_to", _date("date_to", self.date_to))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from must not be after date_to")
