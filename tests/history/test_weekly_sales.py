"""Live sales reads: coverage in one query, weekly sales by region and category."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.scoping import Scope
from history import weekly_sales
from tests.factories import CategoryFactory, SalesFactFactory, SKUFactory

MONDAY = dt.date(2025, 3, 3)


def _sell(store, sku, days, **values):
    for n in days:
        SalesFactFactory(store=store, sku=sku, date=MONDAY + dt.timedelta(days=n), **values)


def test_history_coverage_is_one_query_and_counts_days_with_sales(scoped_world, admin_user):
    store, sku_in, sku_out = (
        scoped_world["store_in"],
        scoped_world["sku_in"],
        scoped_world["sku_out"],
    )
    _sell(store, sku_in, range(3))
    _sell(store, sku_out, [1, 9])
    SalesFactFactory(store=store, sku=sku_in, date=MONDAY + dt.timedelta(days=20), quantity=0)
    scope = Scope.for_user(admin_user)
    with CaptureQueriesContext(connection) as queries:
        coverage = weekly_sales.history_coverage(scope)
    fact_queries = [q for q in queries if "history_salesfact" in q["sql"]]
    assert len(fact_queries) == 1
    row = coverage[store.pk]
    assert row["first_date"] == MONDAY
    assert row["last_date"] == MONDAY + dt.timedelta(days=20)
    assert row["days_with_sales"] == 4  # days 0, 1, 2 and 9; the zero day does not count
    assert row["series"] == 2


def test_coverage_respects_scope(scoped_world):
    _sell(scoped_world["store_in"], scoped_world["sku_out"], range(2))
    _sell(scoped_world["store_out"], scoped_world["sku_in"], range(2))
    assert weekly_sales.history_coverage(Scope.for_user(scoped_world["scoped_planner"])) == {}


def test_weekly_sales_by_region_sums_weeks(scoped_world, admin_user):
    _sell(scoped_world["store_in"], scoped_world["sku_in"], range(14), quantity=2)
    _sell(scoped_world["store_out"], scoped_world["sku_in"], range(7), quantity=1)
    chart = weekly_sales.weekly_sales(
        Scope.for_user(admin_user), group_by="region", measure="units"
    )
    assert chart["weeks"] == ["2025-03-09", "2025-03-16"]  # labelled by the Sunday ending them
    by_name = {s["name"]: s["values"] for s in chart["series"]}
    assert by_name == {"Region NORTH": [14.0, 14.0], "Region SOUTH": [7.0, None]}


def test_weekly_sales_drops_partial_first_and_last_weeks(scoped_world, admin_user):
    # Thursday of one week to Tuesday two weeks later: only the middle week is complete.
    _sell(scoped_world["store_in"], scoped_world["sku_in"], range(3, 16), quantity=1)
    chart = weekly_sales.weekly_sales(
        Scope.for_user(admin_user), group_by="region", measure="units"
    )
    assert chart["weeks"] == ["2025-03-16"]
    assert chart["series"][0]["values"] == [7.0]


def test_weekly_sales_keeps_weekly_grain_sources(scoped_world, admin_user):
    for week in range(3):
        SalesFactFactory(
            store=scoped_world["store_in"],
            sku=scoped_world["sku_in"],
            grain="W",
            date=MONDAY + dt.timedelta(weeks=week),
            quantity=None,
            revenue=100.0 + week,
        )
    chart = weekly_sales.weekly_sales(
        Scope.for_user(admin_user), group_by="region", measure="value"
    )
    assert chart["series"][0]["values"] == [100.0, 101.0, 102.0]


def test_weekly_sales_by_category_rolls_up_to_branches(scoped_world, admin_user):
    soda = CategoryFactory(code="SODA", name="Soda", parent=scoped_world["drinks"])
    lemonade = SKUFactory(code="LEMON", category=soda)
    _sell(scoped_world["store_in"], scoped_world["sku_in"], range(7), revenue=10)
    _sell(scoped_world["store_in"], lemonade, range(7), revenue=1)
    _sell(scoped_world["store_in"], scoped_world["sku_out"], range(7), revenue=100)
    chart = weekly_sales.weekly_sales(
        Scope.for_user(admin_user), group_by="category", measure="value"
    )
    assert {s["name"]: s["values"] for s in chart["series"]} == {
        "Category DRINKS": [77.0],
        "Category SNACKS": [700.0],
    }


def test_default_measure_falls_back_to_value_without_units(scoped_world, admin_user):
    assert weekly_sales.default_measure(Scope.for_user(admin_user)) == "value"
    _sell(scoped_world["store_in"], scoped_world["sku_in"], [0], quantity=None, revenue=5)
    assert weekly_sales.default_measure(Scope.for_user(admin_user)) == "value"
    _sell(scoped_world["store_in"], scoped_world["sku_in"], [1], quantity=3)
    assert weekly_sales.default_measure(Scope.for_user(admin_user)) == "units"
