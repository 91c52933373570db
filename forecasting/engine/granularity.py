"""The time grain of a forecast: daily or weekly, and everything that follows from it.

One value says how long a period is, which pandas frequency the engine frames use, the
season the models look for, the horizons and backtest windows the product allows, how long
a series may go without sales before it counts as discontinued, and on which weekday the
company's weeks end. Code asks the granularity instead of branching on "D"/"W" codes.

Weekly periods are keyed by the date their week ends: ``week_ends_on`` (Monday 0 … Sunday 6,
Sunday by default, so weekly sources dated by another weekday, Walmart's Fridays, keep
their last week and are forecast on Sundays).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

WEEKDAY_CODES = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
SUNDAY = 6


@dataclass(frozen=True)
class Granularity:
    """A forecast grain; ``code`` is the value stored in the database ("D" or "W")."""

    code: str
    period_days: int
    season: int
    default_horizon: int
    max_horizon: int
    default_windows: int
    inactive_after: int  # periods without a sale after which a series counts as discontinued
    lead_buckets: tuple[tuple[int, int, str], ...]  # (first, last lead, label) for accuracy
    week_ends_on: int = SUNDAY

    @property
    def is_weekly(self) -> bool:
        return self.period_days == 7

    @property
    def period(self) -> pd.Timedelta:
        """The length of one period (a day or a week)."""
        return pd.Timedelta(days=self.period_days)

    @property
    def freq(self) -> str:
        """The pandas frequency of the engine frames (weeks anchored on ``week_ends_on``)."""
        return f"W-{WEEKDAY_CODES[self.week_ends_on]}" if self.is_weekly else "D"

    def ending_on(self, weekday: int) -> Granularity:
        """The same grain with weeks ending on ``weekday`` (Monday 0 … Sunday 6)."""
        if not 0 <= weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {weekday!r}")
        return replace(self, week_ends_on=weekday)

    def period_end(self, dates: pd.Series) -> pd.Series:
        """The date that keys each date's period: itself daily, its week's last day weekly."""
        if not self.is_weekly:
            return dates
        return dates + pd.to_timedelta((self.week_ends_on - dates.dt.day_of_week) % 7, unit="D")

    def last_complete_period(self, last_day: pd.Timestamp) -> pd.Timestamp:
        """The end of the last period that daily actuals up to ``last_day`` fully cover."""
        if not self.is_weekly:
            return last_day
        days_past_end = (last_day.day_of_week - self.week_ends_on) % 7
        return last_day - pd.Timedelta(days=days_past_end)


DAILY = Granularity(
    code="D",
    period_days=1,
    season=7,
    default_horizon=56,
    max_horizon=120,
    default_windows=3,
    inactive_after=56,
    lead_buckets=((1, 7, "1-7 d"), (8, 14, "8-14 d"), (15, 28, "15-28 d"), (29, 10_000, "29+ d")),
)
WEEKLY = Granularity(
    code="W",
    period_days=7,
    season=52,
    default_horizon=39,
    max_horizon=60,
    default_windows=4,
    inactive_after=8,
    lead_buckets=(
        (1, 4, "1-4 wk"),
        (5, 13, "5-13 wk"),
        (14, 26, "14-26 wk"),
        (27, 10_000, "27+ wk"),
    ),
)
GRANULARITIES = (DAILY, WEEKLY)


def granularity_of(code: str) -> Granularity:
    """The granularity stored as ``code`` ("D" or "W"); weeks end on Sunday."""
    for granularity in GRANULARITIES:
        if granularity.code == code:
            return granularity
    raise ValueError(f"granularity must be D (daily) or W (weekly), not {code!r}")
