"""Every weekly bucket follows the retailer's week end (``Company.week_ends_on``)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from accounts.scoping import Scope
from dashboards import selectors
from dashboards.models import WeeklySales
from forecasting.explorer import SeriesFilter, explorer_chart
from forecasting.history_frames import last_actual_date, load_series_frames
from history import weekly_sales as live
from imports.services import import_rows
from masterdata.models import Company, Weekday
from masterdata.services import company_week_end_set
from tests.factories import CategoryFactory, SKUFactory, StoreFactory

FRIDAY = dt.date(2025, 1, 3)


def _weekly_rows(series, first: dt.date, weeks: int) -> list[dict]:
    return [
        {
            "store": store.code,
            "sku": sku.code,
            "date": (first + dt.timedelta(weeks=week)).isoformat(),
            "quantity": 10.0 + week,
            "revenue": 100.0 + week,
        }
        for week in range(weeks)
        for store, sku in series
    ]


@pytest.fixture
def series(db):
    category = CategoryFactory(code="DEPT")
    stores = [StoreFactory(code=f"WM{n}") for n in range(2)]
    return [
        (store, SKUFactory(code=f"D{n}", category=category)) for n in range(2) for store in stores
    ]


def test_a_friday_dated_weekly_import_sets_friday_weeks(series, admin_user):
    report = import_rows(
        kind="sales",
        rows=_weekly_rows(series, FRIDAY, 12),
        user=admin_user,
        scope=Scope.company_wide(),
    )
    assert report.is_valid, report.errors
    assert Company.current().week_ends_on == Weekday.FRIDAY
    assert any("Weeks end on Friday" in note for note in report.notes)
    # Summary cells start on Saturdays; charts label weeks by their Friday.
    assert {week.weekday() for week in WeeklySales.objects.values_list("week", flat=True)} == {5}
    scope = Scope.company_wide()
    chart = selectors.weekly_sales(scope, measure="value")
    assert chart["weeks"][0] == FRIDAY.isoformat()
    assert {pd.Timestamp(week).day_name() for week in chart["weeks"]} == {"Friday"}
    assert chart == live.weekly_sales(scope, measure="value")
    # Weekly forecast periods end on Fridays, the last imported week is the origin.
    origin = last_actual_date("W")
    assert origin.date() == FRIDAY + dt.timedelta(weeks=11)
    frames = load_series_frames(
        granularity="W", store_ids=[s.pk for s, _ in series], horizon=4, origin=origin
    )
    assert set(frames.history["ds"].dt.day_name()) == {"Friday"}
    assert set(frames.future_exog["ds"].dt.day_name()) == {"Friday"}
    assert frames.granularity.freq == "W-FRI"


def test_a_conflicting_week_end_is_reported_and_changes_nothing(series, admin_user):
    sunday = FRIDAY + dt.timedelta(days=2)
    first = import_rows(
        kind="sales",
        rows=_weekly_rows(series[:1], sunday, 6),
        user=admin_user,
        scope=Scope.company_wide(),
    )
    assert first.is_valid and Company.current().week_ends_on == Weekday.SUNDAY
    report = import_rows(
        kind="sales",
        rows=_weekly_rows(series[1:], FRIDAY, 6),
        user=admin_user,
        scope=Scope.company_wide(),
    )
    assert Company.current().week_ends_on == Weekday.SUNDAY
    assert any(
        "dated on a Friday" in warning and "nothing was re-bucketed" in warning
        for warning in report.warnings
    )


def test_a_wednesday_week_end_buckets_daily_sales_thursday_to_wednesday(db, admin_user):
    category = CategoryFactory(code="FRESH")
    store, sku = StoreFactory(code="D1"), SKUFactory(code="F1", category=category)
    first = dt.date(2025, 3, 6)  # a Thursday
    rows = [
        {
            "store": store.code,
            "sku": sku.code,
            "date": (first + dt.timedelta(days=n)).isoformat(),
            "quantity": 1.0 + n,
        }
        for n in range(28)
    ]
    assert import_rows(
        kind="sales", rows=rows, user=admin_user, scope=Scope.company_wide()
    ).is_valid
    assert {w.weekday() for w in WeeklySales.objects.values_list("week", flat=True)} == {0}

    company_week_end_set(weekday=Weekday.WEDNESDAY)  # rebuilds the week cells

    weeks = dict(WeeklySales.objects.values_list("week", "units"))
    assert sorted(weeks) == [first + dt.timedelta(weeks=n) for n in range(4)]
    assert weeks[first] == sum(1.0 + n for n in range(7))  # Thursday to Wednesday
    scope = Scope.company_wide()
    chart = selectors.weekly_sales(scope)
    assert chart["weeks"] == [(first + dt.timedelta(days=6 + 7 * n)).isoformat() for n in range(4)]
    assert chart == live.weekly_sales(scope)
    explorer = explorer_chart(scope=scope, selection=SeriesFilter(granularity="W"))
    assert {pd.Timestamp(x).day_name() for x in explorer["history"]["x"]} == {"Wednesday"}
    assert explorer["history"]["y"][-1] == sum(1.0 + n for n in range(21, 28))
