"""A small company with a weekly forecast, the people of an S&OP cycle, and its cycle."""

import datetime as dt

import pytest

from accounts.models import Role
from accounts.scoping import Scope
from forecasting.models import Forecast, ForecastRun, Granularity
from planning.services import cycle_create, cycle_open_demand_review, plan_statistical_build
from tests.factories import SalesFactFactory, UserFactory

ORIGIN = dt.date(2026, 11, 29)
WEEKS = [dt.date(2026, 12, 6) + dt.timedelta(weeks=k) for k in range(4)]


@pytest.fixture
def forecast_world(scoped_world):
    """Weekly forecasts for the four stores × SKUs of ``scoped_world`` over December 2026,
    and last year's sales of one of them."""
    run = ForecastRun.objects.create(
        granularity=Granularity.WEEKLY, horizon=8, windows=1, origin=ORIGIN, chunks_done=1
    )
    stores = [scoped_world["store_in"], scoped_world["store_out"]]
    skus = [scoped_world["sku_in"], scoped_world["sku_out"]]
    Forecast.objects.bulk_create(
        Forecast(
            store=store,
            sku=sku,
            granularity=Granularity.WEEKLY,
            origin=ORIGIN,
            date=week,
            forecast=value,
            p10=value * 0.8,
            p50=value,
            p90=value * 1.2,
            model="ets",
            run=run,
        )
        for i, store in enumerate(stores)
        for j, sku in enumerate(skus)
        for week in WEEKS
        for value in [10.4 + 10 * i + 20 * j]
    )
    # Last year's week ending 7 Dec 2025 (52 weeks before 6 Dec 2026): 3 units a day.
    for day in range(7):
        SalesFactFactory(
            store=stores[0],
            sku=skus[0],
            date=dt.date(2025, 12, 1) + dt.timedelta(days=day),
            quantity=3.0,
        )
    return scoped_world


@pytest.fixture
def people(forecast_world, admin_user, executive):
    return {
        "planner": UserFactory(username="ann", role=Role.PLANNER),
        "other_planner": UserFactory(username="bob", role=Role.PLANNER),
        "scoped": forecast_world["scoped_planner"],
        "admin": admin_user,
        "second_admin": UserFactory(username="admin2", role=Role.ADMIN),
        "executive": executive,
    }


@pytest.fixture
def cycle_in_review(people):
    """December 2026's cycle with its statistical version taken and the demand review open."""
    cycle = cycle_create(month=dt.date(2026, 12, 1), actor=people["admin"], horizon_weeks=4)
    plan_statistical_build(cycle=cycle, actor=people["admin"])
    cycle_open_demand_review(cycle=cycle, actor=people["admin"])
    cycle.refresh_from_db()
    return cycle


@pytest.fixture
def daily_forecast(scoped_world):
    """A daily forecast for 28 days: 10 a day for COLA, 30 for CHIPS at both stores."""
    run = ForecastRun.objects.create(
        granularity=Granularity.DAILY, horizon=28, windows=1, origin=ORIGIN, chunks_done=1
    )
    Forecast.objects.bulk_create(
        Forecast(
            store=scoped_world[store],
            sku=scoped_world[sku],
            granularity=Granularity.DAILY,
            origin=ORIGIN,
            date=ORIGIN + dt.timedelta(days=d),
            forecast=level,
            p10=level * 0.6,
            p50=level,
            p90=level * 1.4,
            model="ets",
            run=run,
        )
        for store in ("store_in", "store_out")
        for sku, level in (("sku_in", 10.0), ("sku_out", 30.0))
        for d in range(1, 29)
    )
    return scoped_world


def scope_of(user) -> Scope:
    return Scope.for_user(user)
