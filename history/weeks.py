"""The retailer's weeks in SQL: the first day of the week a date falls in.

Weeks end on ``Company.week_ends_on`` (Walmart's on Friday), so they start the day after.
Weekly buckets are keyed here by that first day and labelled by their last (the retailer's
week end date); the SQL serves both the ORM reads and the summaries' raw statements.
"""

from __future__ import annotations

from django.db import models

from masterdata.selectors import company


def week_start_weekday(week_ends_on: int | None = None) -> int:
    """The weekday (0 Monday … 6 Sunday) a week starts on: the day after its end."""
    ends_on = company().week_ends_on if week_ends_on is None else week_ends_on
    return (ends_on + 1) % 7


def days_into_week_sql(date: str, vendor: str, first_weekday: int) -> str:
    """How many days ``date`` (an SQL expression) lies after its week's first day, 0–6."""
    if vendor == "postgresql":
        return f"MOD(CAST(EXTRACT(ISODOW FROM {date}) AS INTEGER) + {6 - first_weekday}, 7)"
    # Statements run with parameters, so a literal % is written %%.
    return f"((CAST(strftime('%%w', {date}) AS INTEGER) + {13 - first_weekday}) %% 7)"


def week_start_sql(date: str, vendor: str, first_weekday: int) -> str:
    """The first day of the week of ``date`` (an SQL expression), in the vendor's dialect."""
    days = days_into_week_sql(date, vendor, first_weekday)
    if vendor == "postgresql":
        return f"({date} - {days})"
    return f"date({date}, '-' || {days} || ' days')"


class WeekStart(models.Func):
    """ORM expression: the first day of the company's week containing a date."""

    output_field = models.DateField()

    def __init__(self, expression, *, first_weekday: int, **extra):
        self.first_weekday = first_weekday
        super().__init__(expression, **extra)

    def as_sql(self, compiler, connection, **extra_context):
        date, params = compiler.compile(self.source_expressions[0])
        sql = week_start_sql(date, connection.vendor, self.first_weekday)
        # The fragment names the date twice: in its weekday and as the day counted back from.
        return sql, [*params, *params]
