"""The summary tables equal the live aggregates of the facts, and the pages built on them
show what the live reads show, for each role and within a planner's scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count, Max, Min, Q, Sum
from django.urls import reverse

from accounts.models import Role
from accounts.scoping import Scope
from dashboards import selectors
from dashboards.models import DailySales, SeriesCoverage
from demo.engine import generate_company
from demo.services import demo_company_load
from forecasting.job_params import ForecastParams
from forecasting.signals import forecast_finished
from history import weekly_sales as live
from history.completeness import data_completeness
from history.models import SalesFact
from history.selectors import sales_in_scope
from imports.services import import_rows
from jobs.services import job_start
from masterdata.models import SKU, Category, Region, Store
from masterdata.selectors import store_list
from tests.factories import PlanningScopeFactory, UserFactory

END = dt.date(2025, 6, 29)  # a Sunday
SOLD = Q(quantity__gt=0) | Q(quantity__isnull=True, revenue__gt=0)


@pytest.fixture
def company(db):
    demo_company_load(company=generate_company(seed=5, stores=3, skus=9, years=2, end_date=END))


@pytest.fixture
def scoped_planner(company):
    """A planner scoped to the first region and the first leaf category that has SKUs."""
    scope = PlanningScopeFactory(user=UserFactory(username="narrow", role=Role.PLANNER))
    scope.regions.add(Region.objects.order_by("code").first())
    scope.categories.add(Category.objects.filter(skus__isnull=False).order_by("code").first())
    return scope.user


def _live_cells() -> dict[tuple, tuple]:
    rows = (
        SalesFact.objects.values("store_id", "sku__category_id", "date")
        .annotate(
            rows=Count("id"),
            unit_rows=Count("quantity"),
            units=Sum("quantity"),
            value_rows=Count("revenue"),
            value=Sum("revenue"),
            sold_rows=Count("id", filter=SOLD),
        )
        .order_by()
    )
    return {
        (r["store_id"], r["sku__category_id"], r["date"]): (
            r["rows"],
            r["unit_rows"],
            pytest.approx(r["units"]),
            r["value_rows"],
            pytest.approx(r["value"]),
            r["sold_rows"],
        )
        for r in rows
    }


def _summary_cells() -> dict[tuple, tuple]:
    return {
        (c.store_id, c.category_id, c.date): (
            c.rows,
            c.unit_rows,
            c.units,
            c.value_rows,
            c.value,
            c.sold_rows,
        )
        for c in DailySales.objects.all()
    }


def _live_coverage() -> dict[tuple, tuple]:
    rows = (
        SalesFact.objects.values("store_id", "sku__category_id")
        .annotate(series=Count("sku_id", distinct=True), first=Min("date"), last=Max("date"))
        .order_by()
    )
    return {
        (r["store_id"], r["sku__category_id"]): (r["series"], r["first"], r["last"]) for r in rows
    }


def _summary_coverage() -> dict[tuple, tuple]:
    return {
        (c.store_id, c.category_id): (c.series, c.first_date, c.last_date)
        for c in SeriesCoverage.objects.all()
    }


def _assert_summaries_match_facts() -> None:
    assert _summary_cells() == _live_cells()
    assert _summary_coverage() == _live_coverage()


def test_the_demo_load_fills_the_summaries(company):
    assert DailySales.objects.exists()
    _assert_summaries_match_facts()


def test_an_api_import_refreshes_the_stores_it_wrote(company, admin_user):
    store, sku = Store.objects.order_by("code").first(), SKU.objects.order_by("code").first()
    rows = [
        # A changed day, a new day after the history and a value-only row.
        {"store": store.code, "sku": sku.code, "date": "2025-06-29", "quantity": 999},
        {"store": store.code, "sku": sku.code, "date": "2025-07-01", "quantity": 5},
        {"store": store.code, "sku": sku.code, "date": "2025-07-02", "revenue": 12.5},
    ]
    report = import_rows(kind="sales", rows=rows, user=admin_user, scope=Scope.company_wide())
    assert report.is_valid and report.rows_written == 3
    _assert_summaries_match_facts()
    # One store's two days after the history are partial: the data is complete up to before.
    completeness = data_completeness()
    assert completeness.last_complete == END
    assert [p.date for p in completeness.partial] == [dt.date(2025, 7, 1), dt.date(2025, 7, 2)]


def test_a_sku_moving_category_moves_its_sales(company):
    sku = SKU.objects.order_by("code").first()
    sku.category = Category.objects.exclude(pk=sku.category_id).order_by("code").last()
    sku.save()
    _assert_summaries_match_facts()


def test_summaries_still_match_after_a_forecast(company):
    finished = []

    def record(sender, run, **kwargs):
        finished.append(run)

    forecast_finished.connect(record)
    try:
        params = ForecastParams(granularity="W", horizon=4, windows=1, company_wide=True)
        job = job_start(kind="forecast", params=params, actor=None)
    finally:
        forecast_finished.disconnect(record)
    assert job.status == "succeeded"
    assert [run.granularity for run in finished] == ["W"]
    _assert_summaries_match_facts()


@pytest.mark.parametrize("who", ["admin_user", "executive", "planner", "scoped_planner"])
def test_charts_and_coverage_equal_the_live_reads(company, who, request):
    scope = Scope.for_user(request.getfixturevalue(who))
    for group_by in ("region", "category"):
        for measure in ("units", "value"):
            chart = {"group_by": group_by, "measure": measure}
            assert selectors.weekly_sales(scope, **chart) == live.weekly_sales(scope, **chart)
    assert selectors.history_coverage(scope) == live.history_coverage(scope)
    store = store_list(scope).first()
    by_store = {"store": store}
    assert selectors.history_coverage(scope, **by_store) == live.history_coverage(scope, **by_store)
    chart = {"group_by": "category", "store": store}
    assert selectors.weekly_sales(scope, **chart) == live.weekly_sales(scope, **chart)
    assert selectors.default_measure(scope) == live.default_measure(scope)


def _live_kpis(user) -> dict[str, float]:
    facts = sales_in_scope(Scope.for_user(user))
    end = facts.aggregate(last=Max("date"))["last"]
    start = end - dt.timedelta(days=27)
    return facts.filter(date__gte=start, date__lte=end).aggregate(
        value=Sum("revenue"), units=Sum("quantity")
    )


@pytest.mark.parametrize("who", ["executive", "scoped_planner"])
def test_executive_kpis_equal_the_facts(company, who, request):
    user = request.getfixturevalue(who)
    home = selectors.executive_home(Scope.for_user(user))
    expected = _live_kpis(user)
    assert home["end"] == sales_in_scope(Scope.for_user(user)).aggregate(last=Max("date"))["last"]
    assert home["total"].value == pytest.approx(expected["value"])
    assert home["total"].units == pytest.approx(expected["units"])


def test_admin_home_counts_every_sales_row(company, admin_user, client):
    client.force_login(admin_user)
    response = client.get(reverse("home"))
    assert response.context["sales_rows"] == SalesFact.objects.count()
    assert response.context["completeness"].last_complete == END


def test_scoped_planner_sees_only_their_scope(company, scoped_planner, client):
    region = scoped_planner.planning_scope.regions.get()
    client.force_login(scoped_planner)
    overview = client.get(reverse("masterdata:overview")).context
    assert {s.region_id for s in overview["stores"]} == {region.pk}
    chart = overview["chart"]
    assert [s["name"] for s in chart["series"]] == [region.name]
    in_scope = sales_in_scope(Scope.for_user(scoped_planner))
    expected = in_scope.values("store_id", "sku_id").distinct().count()
    assert sum(s.coverage.get("series", 0) for s in overview["stores"]) == expected
    home = client.get(reverse("home")).context
    assert home["completeness"].last_complete == in_scope.aggregate(last=Max("date"))["last"]
    assert home["store_count"] == Store.objects.filter(region=region).count()
