"""The explorer's aggregates read from the summary cells equal the same sums over the stored
forecasts and backtest points, for each role and within a planner's scope, and the cells
follow a finished run and a SKU changing category."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import Role
from accounts.scoping import Scope
from demo.engine import generate_company
from demo.services import demo_company_load
from forecasting import explorer
from forecasting.explorer import SeriesFilter, aggregate_breakdown, explorer_chart
from forecasting.job_params import ForecastParams
from forecasting.selectors import latest_origin
from forecasting.summaries import forecast_cells_ready
from imports.services import import_rows
from jobs.services import job_start
from masterdata.models import SKU, Category, Region, Store
from tests.factories import PlanningScopeFactory, UserFactory

END = dt.date(2025, 6, 29)  # a Sunday


@pytest.fixture
def forecasted(db):
    demo_company_load(company=generate_company(seed=7, stores=3, skus=8, years=2, end_date=END))
    params = ForecastParams(granularity="W", horizon=4, windows=1, company_wide=True)
    job = job_start(kind="forecast", params=params, actor=None)
    assert job.status == "succeeded"


@pytest.fixture
def scoped_planner(forecasted):
    scope = PlanningScopeFactory(user=UserFactory(username="narrow", role=Role.PLANNER))
    scope.regions.add(Region.objects.order_by("code").first())
    scope.categories.add(Category.objects.filter(skus__isnull=False).order_by("code").first())
    return scope.user


def _selections() -> list[SeriesFilter]:
    store = Store.objects.order_by("code").first()
    category = Category.objects.filter(skus__isnull=False).order_by("code").first()
    return [
        SeriesFilter("W"),
        SeriesFilter("W", store=store),
        SeriesFilter("W", region=store.region),
        SeriesFilter("W", category=category),
        SeriesFilter("W", category=category.parent or category, region=store.region),
    ]


def _pages(user) -> list[tuple[dict, dict]]:
    scope = Scope.for_user(user)
    return [
        (explorer_chart(scope=scope, selection=s), aggregate_breakdown(scope=scope, selection=s))
        for s in _selections()
    ]


def _approx(value):
    if isinstance(value, dict):
        return {k: _approx(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_approx(v) for v in value]
    if isinstance(value, float):
        return pytest.approx(value, rel=1e-9, abs=1e-6)
    return value


@pytest.mark.parametrize("who", ["admin_user", "planner", "scoped_planner"])
def test_the_explorer_reads_the_same_sums_from_the_cells(forecasted, who, request, monkeypatch):
    user = request.getfixturevalue(who)
    assert forecast_cells_ready(granularity="W", origin=latest_origin("W"))
    from_cells = _pages(user)
    monkeypatch.setattr(explorer, "_summed", lambda selection, origin: False)
    from_rows = _pages(user)
    for (chart, breakdown), (chart_rows, breakdown_rows) in zip(from_cells, from_rows, strict=True):
        for key in chart:
            assert chart[key] == _approx(chart_rows[key]), key
        for key in breakdown:
            assert breakdown[key] == _approx(breakdown_rows[key]), key
    assert any(chart["forecast"]["x"] for chart, _ in from_rows)


def test_a_sku_moving_category_moves_its_cells(forecasted, admin_user, monkeypatch):
    sku = SKU.objects.order_by("code").first()
    sku.category = Category.objects.filter(skus__isnull=False).exclude(pk=sku.category_id).first()
    sku.save()
    category = SeriesFilter("W", category=sku.category)
    from_cells = explorer_chart(scope=Scope.company_wide(), selection=category)
    monkeypatch.setattr(explorer, "_summed", lambda selection, origin: False)
    assert from_cells == _approx(explorer_chart(scope=Scope.company_wide(), selection=category))


def test_imported_sales_reach_the_history(forecasted, admin_user, monkeypatch):
    store, sku = Store.objects.order_by("code").first(), SKU.objects.order_by("code").first()
    rows = [{"store": store.code, "sku": sku.code, "date": "2025-06-20", "quantity": 999}]
    assert (
        import_rows(
            kind="sales", rows=rows, user=admin_user, scope=Scope.company_wide()
        ).rows_written
        == 1
    )
    whole = SeriesFilter("W")
    from_cells = explorer_chart(scope=Scope.company_wide(), selection=whole)
    monkeypatch.setattr(explorer, "_summed", lambda selection, origin: False)
    assert from_cells == _approx(explorer_chart(scope=Scope.company_wide(), selection=whole))
