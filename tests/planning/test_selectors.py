"""The plan grid's reads: totals that add up at every level, overrides and accuracy beside
each row, and a fixed number of queries whatever the number of rows and weeks."""

import datetime as dt

import pytest
from django.core.cache import cache

from forecasting.models import BacktestPoint, Granularity
from planning.models import OverrideLevel
from planning.selectors import GridFocus, approved_version, meeting_numbers, plan_grid, week_label
from planning.services import OverrideTarget, plan_override, working_version
from tests.planning.conftest import WEEKS, scope_of


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The grid caches past accuracy per forecast run; each test starts without it."""
    cache.clear()


@pytest.mark.django_db
def test_grid_totals_add_up_at_every_level(cycle_in_review, forecast_world, people):
    version = working_version(cycle_in_review)
    scope = scope_of(people["admin"])
    top = plan_grid(version=version, scope=scope, focus=GridFocus())
    # Statistical 10/20 (drinks) and 30/40 (snacks) per week, four weeks.
    assert [(row.code, row.plan) for row in top.rows] == [("DRINKS", 120.0), ("SNACKS", 280.0)]
    assert top.week_totals == [100.0] * 4 and top.total == 400.0
    assert top.week_labels[0] == "w/e Sun 6 Dec"
    drinks = forecast_world["drinks"]
    regions = plan_grid(version=version, scope=scope, focus=GridFocus(category=drinks))
    assert [(row.code, row.plan) for row in regions.rows] == [("NORTH", 40.0), ("SOUTH", 80.0)]
    assert regions.rows[0].drill == f"category={drinks.pk}&region={forecast_world['north'].pk}"
    stores = plan_grid(
        version=version,
        scope=scope,
        focus=GridFocus(category=drinks, region=forecast_world["north"]),
    )
    assert [row.code for row in stores.rows] == ["N1"] and stores.rows[0].edit_level is None
    skus = plan_grid(
        version=version,
        scope=scope,
        focus=GridFocus(
            category=drinks, region=forecast_world["north"], store=forecast_world["store_in"]
        ),
    )
    assert [(row.code, row.edit_level, row.drill) for row in skus.rows] == [("COLA", "line", None)]
    # Last year: 21 units in the first week of the one series that sold then.
    assert skus.rows[0].last_year == 21.0 and skus.rows[0].cells[0]["last_year"] == 21.0


@pytest.mark.django_db
def test_rows_carry_the_overrides_that_changed_them_and_past_accuracy(
    cycle_in_review, forecast_world, people
):
    version = working_version(cycle_in_review)
    drinks, store, sku = (
        forecast_world["drinks"],
        forecast_world["store_in"],
        forecast_world["sku_in"],
    )
    plan_override(
        version=version,
        target=OverrideTarget(level=OverrideLevel.CATEGORY, week=WEEKS[1], category_id=drinks.pk),
        new_total=45,
        reason="promotion",
        actor=people["planner"],
        scope=scope_of(people["planner"]),
    )
    BacktestPoint.objects.bulk_create(
        BacktestPoint(
            store=store,
            sku=sku,
            granularity=Granularity.WEEKLY,
            date=day,
            forecast=f,
            actual=a,
            lead=1,
            model="ets",
        )
        for day, f, a in [(dt.date(2026, 11, 1), 12, 10), (dt.date(2026, 11, 8), 8, 10)]
    )
    grid = plan_grid(version=version, scope=scope_of(people["admin"]), focus=GridFocus())
    drinks_row, snacks_row = grid.rows
    assert drinks_row.plan == 135.0 and drinks_row.override_change == 15.0
    assert drinks_row.latest_override.created_by == people["planner"]
    assert drinks_row.accuracy == pytest.approx(0.8)  # 1 − (2 + 2) / 20
    assert snacks_row.latest_override is None and snacks_row.accuracy is None


@pytest.mark.django_db
def test_the_grid_costs_the_same_queries_for_more_rows(
    cycle_in_review, forecast_world, people, django_assert_max_num_queries
):
    version = working_version(cycle_in_review)
    scope = scope_of(people["admin"])
    for focus in (GridFocus(), GridFocus(category=forecast_world["drinks"])):
        with django_assert_max_num_queries(10):
            plan_grid(version=version, scope=scope, focus=focus)


@pytest.mark.django_db
def test_a_scoped_planner_grid_and_meeting_numbers_cover_only_their_lines(
    cycle_in_review, forecast_world, people
):
    version = working_version(cycle_in_review)
    scope = scope_of(people["scoped"])
    grid = plan_grid(version=version, scope=scope, focus=GridFocus())
    assert [(row.code, row.plan) for row in grid.rows] == [("DRINKS", 40.0)]
    assert meeting_numbers(version=version, scope=scope)["plan"] == 40.0
    assert approved_version(month=None) is None


def test_week_labels_follow_the_week_end():
    assert week_label(dt.date(2026, 12, 4)) == "w/e Fri 4 Dec"
