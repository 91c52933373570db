"""Named periods a question or a tool call may ask for, resolved against the data's last day.

Periods are anchored on the last day with sales in the asker's scope, not on the clock: a
demo company or a late import would otherwise answer "last week" with an empty week.
"""

from __future__ import annotations

from datetime import date, timedelta

PERIODS = (
    "last_7_days",
    "last_4_weeks",
    "last_13_weeks",
    "last_52_weeks",
    "last_month",
    "this_month",
    "this_year",
    "last_year",
)


def resolve_period(name: str, anchor: date) -> tuple[date, date]:
    """The first and last day (inclusive) of period ``name`` ending at or before ``anchor``."""
    if name == "last_7_days":
        return anchor - timedelta(days=6), anchor
    if name == "last_4_weeks":
        return anchor - timedelta(days=27), anchor
    if name == "last_13_weeks":
        return anchor - timedelta(days=90), anchor
    if name == "last_52_weeks":
        return anchor - timedelta(days=363), anchor
    if name == "this_month":
        return anchor.replace(day=1), anchor
    if name == "last_month":
        end = anchor.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    if name == "this_year":
        return anchor.replace(month=1, day=1), anchor
    if name == "last_year":
        return date(anchor.year - 1, 1, 1), date(anchor.year - 1, 12, 31)
    raise ValueError(f"period {name!r} is not one of: {', '.join(PERIODS)}")


def same_days_last_year(start: date, end: date) -> tuple[date, date]:
    """The same weekdays 52 weeks earlier, so weekly patterns line up."""
    return start - timedelta(weeks=52), end - timedelta(weeks=52)
