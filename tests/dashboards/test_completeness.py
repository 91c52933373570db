"""A day only a few series have reported is partial: it moves no origin, accuracy, KPI or badge."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.scoping import Scope
from dashboards import selectors
from dashboards.services import sales_summaries_refresh
from forecasting.accuracy import live_accuracy_refresh
from forecasting.history_frames import last_actual_date
from forecasting.models import AccuracyRecord
from history.completeness import data_completeness
from history.models import SalesFact
from imports.services import import_rows
from masterdata.models import Company
from tests.factories import CategoryFactory, SKUFactory, StoreFactory
from tests.forecasting.factories import ForecastFactory, ForecastRunFactory

START = dt.date(2025, 3, 3)  # a Monday
LAST = dt.date(2025, 4, 6)  # a Sunday, five weeks later
LATER = LAST + dt.timedelta(days=1)
ORIGIN = LAST - dt.timedelta(days=14)


def _days(first: dt.date, last: dt.date):
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def _sales(series, days, quantity: float = 3.0) -> list[dict]:
    return [
        {"store": store.code, "sku": sku.code, "date": day.isoformat(), "quantity": quantity}
        for day in days
        for store, sku in series
    ]


@pytest.fixture
def world(db, admin_user):
    """Four stores × five SKUs (20 series) with daily sales up to ``LAST``."""
    category = CategoryFactory(code="FOOD")
    stores = [StoreFactory(code=f"ST{n}") for n in range(4)]
    skus = [SKUFactory(code=f"SK{n}", category=category) for n in range(5)]
    series = [(store, sku) for store in stores for sku in skus]
    report = import_rows(
        kind="sales",
        rows=_sales(series, _days(START, LAST)),
        user=admin_user,
        scope=Scope.company_wide(),
    )
    assert report.is_valid, report.errors
    return series


def _import_later_day(series, user) -> None:
    report = import_rows(
        kind="sales", rows=_sales(series, [LATER]), user=user, scope=Scope.company_wide()
    )
    assert report.is_valid, report.errors


def _live_dates() -> list[dt.date]:
    return sorted(
        set(
            AccuracyRecord.objects.filter(source=AccuracyRecord.Source.LIVE).values_list(
                "evaluated_on", flat=True
            )
        )
    )


def test_a_later_day_for_a_few_series_moves_nothing_and_shows_as_partial(
    world, admin_user, planner, executive, client
):
    run = ForecastRunFactory(granularity="D", origin=ORIGIN, horizon=28)
    for store, sku in world[:3]:
        for day in _days(ORIGIN + dt.timedelta(days=1), ORIGIN + dt.timedelta(days=28)):
            ForecastFactory(store=store, sku=sku, origin=ORIGIN, date=day, run=run, forecast=3.0)
    live_accuracy_refresh(granularity="D")
    before = {
        "daily": last_actual_date("D"),
        "weekly": last_actual_date("W"),
        "accuracy": _live_dates(),
        "kpis": selectors.executive_home(Scope.company_wide())["start"],
    }
    assert before["daily"].date() == LAST and before["accuracy"][-1] == LAST

    _import_later_day(world[:4], admin_user)  # 4 of 20 series, all in one store

    assert last_actual_date("D") == before["daily"]
    assert last_actual_date("W") == before["weekly"]
    live_accuracy_refresh(granularity="D")  # re-scores the last complete days, no later one
    assert _live_dates() == before["accuracy"]
    executive_home = selectors.executive_home(Scope.company_wide())
    assert (executive_home["start"], executive_home["end"]) == (before["kpis"], LAST)
    completeness = data_completeness()
    assert selectors.data_completeness(Scope.company_wide()) == completeness  # summaries agree
    assert completeness.last_complete == LAST and completeness.last_date == LATER
    assert [(p.date, p.series_reported) for p in completeness.partial] == [(LATER, 4)]
    for user in (planner, executive):
        client.force_login(user)
        page = client.get(reverse("home")).content.decode()
        assert "Data complete up to" in page and "6 Apr 2025" in page
        assert "Partial 7 Apr: 4 of 20 series reported" in page


def test_a_period_is_complete_once_the_company_share_has_reported(world, admin_user):
    _import_later_day([s for s in world if s[0].code != "ST3"], admin_user)  # 3 of 4 stores
    assert data_completeness().last_complete == LAST
    company = Company.current()
    company.complete_share = 0.75
    company.save()
    assert data_completeness().last_complete == LATER
    assert last_actual_date("D").date() == LATER


def test_a_series_that_stopped_reporting_is_flagged(world, admin_user, client):
    store, sku = world[0]
    SalesFact.objects.filter(store=store, sku=sku, date__gt=LAST - dt.timedelta(days=10)).delete()
    sales_summaries_refresh(store_ids=[store.pk])
    flagged = selectors.data_freshness(Scope.company_wide())["stopped_series"]
    assert [(s["store__code"], s["sku__code"], s["last_date"]) for s in flagged] == [
        (store.code, sku.code, LAST - dt.timedelta(days=10))
    ]
    client.force_login(admin_user)
    page = client.get(reverse("masterdata:overview")).content.decode()
    assert "Series that stopped reporting" in page and sku.code in page


def test_every_store_sending_a_few_of_its_usual_rows_is_still_partial(world, admin_user):
    first_skus = {"SK0", "SK1"}  # e.g. one category's file arrives before the others
    _import_later_day([s for s in world if s[1].code in first_skus], admin_user)
    completeness = data_completeness()
    assert selectors.data_completeness(Scope.company_wide()) == completeness
    assert completeness.last_complete == LAST
    assert [(p.date, p.series_reported, p.stores_reported) for p in completeness.partial] == [
        (LATER, 8, 4)
    ]
