"""The retailer's week end, read from a weekly sales import.

Weekly sources date each week by one weekday (Walmart's by its Friday). When every weekly
row of an import falls on the same weekday, that is the day the retailer's weeks end: the
company takes it when it has no weekly sales yet (or already agrees) and the report says so.
When stored weekly sales already fix another week end, the import says so plainly and
changes nothing, rather than silently re-bucketing the history.
"""

from __future__ import annotations

import pandas as pd
from django.db.models.functions import ExtractIsoWeekDay

from history.models import Grain, SalesFact
from imports.report import ImportReport
from masterdata.models import Weekday
from masterdata.selectors import company
from masterdata.services import company_week_end_set


def week_end_detect(sales: pd.DataFrame, report: ImportReport) -> None:
    """Set the company's week end from the weekly rows of ``sales`` (grain resolved, dates
    parsed), before they are written; adds a note or a warning to ``report``."""
    weekly = sales.loc[sales["grain"] == Grain.WEEK, "date"]
    if weekly.empty:
        return
    weekdays = set(pd.to_datetime(weekly).dt.day_of_week.unique())
    current = company().week_ends_on
    if len(weekdays) != 1:
        names = ", ".join(Weekday(int(day)).label for day in sorted(weekdays))
        report.warnings.append(
            f"The weekly sales are dated on several weekdays ({names}), so they do not say "
            f"when the retailer's weeks end; weeks still end on {Weekday(current).label}."
        )
        return
    found = int(weekdays.pop())
    label = Weekday(found).label
    if found == current:
        report.notes.append(f"Weeks end on {label}: every weekly sale is dated on a {label}.")
        return
    stored = _stored_weekly_weekdays()
    if stored <= {found}:
        company_week_end_set(weekday=found)
        report.notes.append(
            f"Weeks end on {label}: every weekly sale is dated on a {label}, so the company's "
            f"weeks now end on {label} (they ended on {Weekday(current).label})."
        )
        return
    names = ", ".join(Weekday(day).label for day in sorted(stored))
    report.warnings.append(
        f"Every weekly sale of this import is dated on a {label}, but the weekly sales "
        f"already stored are dated on {names}: the company's weeks keep ending on "
        f"{Weekday(current).label} and nothing was re-bucketed. If the retailer's weeks end "
        f"on {label}, change the company's week end in the admin."
    )


def _stored_weekly_weekdays() -> set[int]:
    """The weekdays (0 Monday … 6 Sunday) the stored weekly sales are dated on."""
    days = (
        SalesFact.objects.filter(grain=Grain.WEEK)
        .annotate(weekday=ExtractIsoWeekDay("date"))
        .values_list("weekday", flat=True)
        .distinct()
        .order_by()
    )
    return {day - 1 for day in days}
