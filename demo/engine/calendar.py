"""The shared day axis: every matrix in the engine is indexed by these day numbers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np


def default_end_date(today: date | None = None) -> date:
    """Last Sunday strictly before `today`, so the history ends on a complete week."""
    today = today or date.today()
    return today - timedelta(days=(today.weekday() + 1) % 7 or 7)


@dataclass(frozen=True)
class Calendar:
    """Consecutive days of history with the derived fields the generators need."""

    start: date
    end: date
    dates: np.ndarray  # datetime64[D]

    @property
    def n_days(self) -> int:
        return len(self.dates)

    @property
    def dow(self) -> np.ndarray:
        """Day of week, Monday = 0 (matches ``date.weekday``)."""
        return ((self.dates.astype("int64") + 3) % 7).astype(np.int8)

    @property
    def doy(self) -> np.ndarray:
        """Day of year, 1-based, used by yearly seasonality."""
        years = self.dates.astype("datetime64[Y]")
        return (self.dates - years.astype("datetime64[D]")).astype("int64") + 1

    @property
    def years_elapsed(self) -> np.ndarray:
        """Time since the start in years, used for trends and drifts."""
        return np.arange(self.n_days, dtype=np.float64) / 365.25

    def index_of(self, day: date) -> int:
        """Day number of `day` (may fall outside ``[0, n_days)``)."""
        return (day - self.start).days

    def date_at(self, index: int) -> date:
        """Calendar date of day number `index` (may fall outside the history)."""
        return self.start + timedelta(days=int(index))


def build_calendar(end_date: date, years: int) -> Calendar:
    """`years` whole years of days ending on `end_date` inclusive."""
    try:
        anniversary = end_date.replace(year=end_date.year - years)
    except ValueError:  # 29 February
        anniversary = end_date.replace(year=end_date.year - years, day=28)
    start = anniversary + timedelta(days=1)
    one_day = np.timedelta64(1, "D")
    dates = np.arange(np.datetime64(start, "D"), np.datetime64(end_date, "D") + one_day)
    return Calendar(start=start, end=end_date, dates=dates)
