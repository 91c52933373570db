"""Closing a past cycle: value added by stage, planner and reason against the actuals."""

import datetime as dt

import pytest

from accounts.models import Role
from forecasting.models import Forecast, ForecastRun, Granularity
from history.models import SalesFact
from planning.models import OverrideLevel
from planning.services import (
    OverrideTarget,
    consensus_agree,
    cycle_create,
    cycle_open_demand_review,
    demand_review_close,
    plan_override,
    plan_statistical_build,
    plan_submit,
    submission_review,
    working_version,
)
from planning.value_added import cycle_value_added
from tests.factories import UserFactory
from tests.planning.conftest import scope_of

ORIGIN = dt.date(2025, 11, 30)
WEEKS = [dt.date(2025, 12, 7), dt.date(2025, 12, 14)]


@pytest.fixture
def past_world(scoped_world):
    """A forecast of 10 units a week for every series in the first two weeks of December
    2025, and actuals: 2 a day (14 a week) for COLA at N1, 10 a week elsewhere."""
    run = ForecastRun.objects.create(
        granularity=Granularity.WEEKLY, horizon=2, windows=1, origin=ORIGIN, chunks_done=1
    )
    series = [
        (scoped_world[store], scoped_world[sku])
        for store in ("store_in", "store_out")
        for sku in ("sku_in", "sku_out")
    ]
    Forecast.objects.bulk_create(
        Forecast(
            store=store,
            sku=sku,
            granularity=Granularity.WEEKLY,
            origin=ORIGIN,
            date=week,
            forecast=10,
            p10=8,
            p50=10,
            p90=12,
            model="ets",
            run=run,
        )
        for store, sku in series
        for week in WEEKS
    )
    cola_n1 = series[0]
    SalesFact.objects.bulk_create(
        SalesFact(
            store=store,
            sku=sku,
            date=dt.date(2025, 12, 1) + dt.timedelta(days=d),
            quantity=2.0 if (store, sku) == cola_n1 else 10 / 7,
        )
        for store, sku in series
        for d in range(14)
    )
    return scoped_world


@pytest.mark.django_db
def test_value_added_judges_each_stage_and_each_planner_once_actuals_exist(
    past_world, admin_user, executive
):
    ann = UserFactory(username="ann", role=Role.PLANNER)
    bob = UserFactory(username="bob", role=Role.PLANNER)
    admin2 = UserFactory(username="admin2", role=Role.ADMIN)
    cycle = cycle_create(month=dt.date(2025, 12, 1), actor=admin_user, horizon_weeks=2)
    plan_statistical_build(cycle=cycle, actor=admin_user)
    cycle_open_demand_review(cycle=cycle, actor=admin_user)
    version = working_version(cycle)

    def line(store, sku, total, user, reason):
        target = OverrideTarget(
            level=OverrideLevel.LINE,
            week=WEEKS[0],
            store_id=past_world[store].pk,
            sku_id=past_world[sku].pk,
        )
        plan_override(
            version=version,
            target=target,
            new_total=total,
            reason=reason,
            actor=user,
            scope=scope_of(user),
        )

    line("store_in", "sku_in", 14, ann, "promotion")  # right: the actual was 14
    line("store_out", "sku_out", 20, bob, "event")  # wrong: the actual was 10
    for planner in (ann, bob):
        submission = plan_submit(cycle=cycle, actor=planner, scope=scope_of(planner))
        submission_review(submission=submission, actor=admin_user, approve=True)
    demand_review_close(cycle=cycle, actor=admin_user)
    cycle.refresh_from_db()
    submission_review(
        submission=cycle.submissions.get(stage="supply_review"), actor=admin2, approve=True
    )
    consensus_agree(cycle=cycle, actor=admin_user)
    cycle.refresh_from_db()
    submission_review(
        submission=cycle.submissions.get(stage="sign_off"), actor=executive, approve=True
    )

    result = cycle_value_added(cycle=cycle, scope=scope_of(admin_user))
    assert result.weeks == WEEKS
    stages = result.by_stage.set_index("stage")
    assert list(stages.index) == ["statistical", "adjusted", "consensus", "approved"]
    # 88 units sold; the statistical forecast missed COLA at N1 by 4 twice.
    assert stages.loc["statistical", "wape"] == pytest.approx(8 / 88)
    assert stages.loc["adjusted", "wape"] == pytest.approx(14 / 88)
    assert stages.loc["adjusted", "value_added_vs_statistical"] == pytest.approx(-6 / 88)
    assert stages.loc["approved", "value_added_vs_previous"] == pytest.approx(0)
    planners = result.by_planner.set_index("planner")
    assert planners.loc["ann", "value_added"] == pytest.approx(4 / 14)
    assert planners.loc["bob", "value_added"] == pytest.approx(-1)
    assert set(result.by_reason["reason"]) == {"promotion", "event"}


@pytest.mark.django_db
def test_a_cycle_without_actuals_yet_is_not_judged(past_world, admin_user):
    SalesFact.objects.filter(date__gte=dt.date(2025, 12, 1)).delete()
    cycle = cycle_create(month=dt.date(2025, 12, 1), actor=admin_user, horizon_weeks=2)
    plan_statistical_build(cycle=cycle, actor=admin_user)
    result = cycle_value_added(cycle=cycle, scope=scope_of(admin_user))
    assert not result.measured and result.by_stage.empty
