"""Forecast value added on the demo company: a past month's cycle, forecast for real from
before the month, overridden well and badly, taken through every stage and signed off; the
cycle and meeting pages then show each stage's error against the actuals, recomputed here
from the sales facts and the plan lines without the app's value-added code."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

import pytest
from django.urls import reverse

from accounts.models import Role
from accounts.scoping import Scope
from demo.engine import generate_company
from demo.services import demo_company_load
from forecasting.job_params import ForecastParams
from forecasting.models import ForecastRun, Granularity
from history.models import SalesFact
from jobs.services import job_start
from masterdata.models import SKU
from planning.models import OverrideLevel, PlanLine, Stage, VersionKind
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
from tests.factories import UserFactory

END = dt.date(2025, 6, 29)  # the demo's last day of sales
MONTH = dt.date(2025, 5, 1)  # a month whose weeks are all sold by END
WEEKS = 6


@pytest.fixture
def demo_past_cycle(db, admin_user, executive):
    """The small demo company (as the other demo tests load it), a weekly forecast made
    the week before May 2025 and May 2025's cycle with its statistical version taken."""
    demo_company_load(company=generate_company(seed=5, stores=3, skus=9, years=2, end_date=END))
    cycle = cycle_create(month=MONTH, actor=admin_user, horizon_weeks=WEEKS)
    origin = cycle.first_week - dt.timedelta(weeks=1)
    params = ForecastParams(
        granularity="W", horizon=WEEKS, windows=1, company_wide=True, origin=origin.isoformat()
    )
    job = job_start(kind="forecast", params=params, actor=None)
    assert job.status == "succeeded", job.error
    # A later forecast without May's weeks: the cycle must start from the one before May.
    ForecastRun.objects.create(
        granularity=Granularity.WEEKLY, horizon=WEEKS, windows=1, origin=END, chunks_done=1
    )
    plan_statistical_build(cycle=cycle, actor=admin_user)
    cycle.refresh_from_db()
    return cycle


def _weekly_actuals(weeks: list[dt.date]) -> dict[tuple, float]:
    """Units sold per (store, SKU, week ending), summed from the daily facts here."""
    sold: dict[tuple, float] = defaultdict(float)
    first, last = weeks[0] - dt.timedelta(days=6), weeks[-1]
    for store, sku, day, quantity in SalesFact.objects.filter(
        date__gte=first, date__lte=last
    ).values_list("store_id", "sku_id", "date", "quantity"):
        week_end = next(w for w in weeks if w - dt.timedelta(days=6) <= day <= w)
        sold[(store, sku, week_end)] += quantity or 0.0
    return sold


def _plan(version) -> dict[tuple, float]:
    return {
        (line.store_id, line.sku_id, line.week): line.quantity
        for line in PlanLine.objects.filter(plan_version=version)
    }


def _errors(plan: dict, sold: dict, keys) -> tuple[float, float]:
    """Absolute error (units) and WAPE of ``plan`` on ``keys``."""
    error = sum(abs(plan[k] - sold.get(k, 0.0)) for k in keys)
    return error, error / sum(sold.get(k, 0.0) for k in keys)


def _row(page: str, attribute: str, value: str) -> str:
    found = re.search(rf'<tr data-{attribute}="{value}">(.*?)</tr>', page, re.S)
    assert found, f"no {attribute} row {value!r} on the page"
    return found.group(1)


def _points(gain: float) -> str:
    return f"{gain * 100:+.1f} pts"


@pytest.mark.django_db
def test_a_closed_past_cycle_shows_value_added_by_stage_planner_and_reason(
    demo_past_cycle, admin_user, executive, client
):
    cycle = demo_past_cycle
    statistical = cycle.versions.get(kind=VersionKind.STATISTICAL)
    assert statistical.note.startswith(
        f"Weekly forecast made on {cycle.first_week - dt.timedelta(weeks=1):%d %b %Y}"
    )
    client.force_login(admin_user)
    before = client.get(reverse("planning:cycle", kwargs={"pk": cycle.pk})).content.decode()
    assert "Forecast value added" in before

    ann = UserFactory(username="ann", role=Role.PLANNER)
    bob = UserFactory(username="bob", role=Role.PLANNER)
    admin2 = UserFactory(username="admin2", role=Role.ADMIN)
    cycle_open_demand_review(cycle=cycle, actor=admin_user)
    version = working_version(cycle)
    weeks = sorted({w for _, _, w in _plan(statistical)})
    sold = _weekly_actuals(weeks)
    stat = _plan(statistical)

    # Ann knows better on the three lines of the first week the forecast missed most.
    first_week = sorted(
        (k for k in stat if k[2] == weeks[0]), key=lambda k: -abs(stat[k] - sold.get(k, 0.0))
    )[:3]
    for store, sku, week in first_week:
        plan_override(
            version=version,
            target=OverrideTarget(level=OverrideLevel.LINE, week=week, store_id=store, sku_id=sku),
            new_total=sold.get((store, sku, week), 0.0),
            reason="promotion",
            actor=ann,
            scope=Scope.for_user(ann),
        )
    # Bob doubles a category's second week where it sold and doubling makes the plan worse.
    category_of = dict(SKU.objects.values_list("pk", "category_id"))

    def doubled_is_worse(category: int) -> bool:
        keys = [k for k in stat if k[2] == weeks[1] and category_of[k[1]] == category]
        sold_there = sum(sold.get(k, 0.0) for k in keys if stat[k] > 0)
        return sold_there > 0 and sum(abs(2 * stat[k] - sold.get(k, 0.0)) for k in keys) > sum(
            abs(stat[k] - sold.get(k, 0.0)) for k in keys
        )

    category = next(c for c in sorted(set(category_of.values())) if doubled_is_worse(c))
    category_total = sum(
        v for k, v in stat.items() if k[2] == weeks[1] and category_of[k[1]] == category
    )
    plan_override(
        version=version,
        target=OverrideTarget(level=OverrideLevel.CATEGORY, week=weeks[1], category_id=category),
        new_total=2 * category_total,
        reason="event",
        actor=bob,
        scope=Scope.for_user(bob),
    )

    for planner in (ann, bob):
        submission = plan_submit(cycle=cycle, actor=planner, scope=Scope.for_user(planner))
        submission_review(submission=submission, actor=admin_user, approve=True)
    demand_review_close(cycle=cycle, actor=admin_user)
    cycle.refresh_from_db()
    submission_review(
        submission=cycle.submissions.get(stage="supply_review"), actor=admin2, approve=True
    )
    consensus_agree(cycle=cycle, actor=admin_user, note="As adjusted.")
    cycle.refresh_from_db()
    submission_review(
        submission=cycle.submissions.get(stage="sign_off"), actor=executive, approve=True
    )
    cycle.refresh_from_db()
    assert cycle.stage == Stage.LOCKED

    # Every stage, recomputed from the plan lines and the daily facts.
    plans = {
        kind: _plan(cycle.versions.filter(kind=kind).order_by("-number").first())
        for kind in ("statistical", "adjusted", "consensus", "approved")
    }
    keys = list(stat)
    expected = {kind: _errors(plan, sold, keys) for kind, plan in plans.items()}
    assert expected["adjusted"] != expected["statistical"]
    pages = [
        client.get(reverse(name, kwargs={"pk": cycle.pk})).content.decode()
        for name in ("planning:cycle", "planning:meeting")
    ]
    for page in pages:
        assert "Not measured yet" not in page
        assert f"{len(weeks)} planned weeks with complete sales" in page
        previous = None
        for kind, (error, wape) in expected.items():
            row = _row(page, "stage", kind)
            assert f"{error:,.0f} units" in row, kind
            assert f"{wape * 100:.1f} %" in row, kind
            assert f"{error / len(keys):.2f}" in row, kind  # MAE, units per line
            if previous is None:
                assert "baseline" in row
            else:
                assert _points(previous - wape) in row, kind
                assert _points(expected["statistical"][1] - wape) in row, kind
            previous = wape

    # The overrides, judged on the lines each touched.
    adjusted = plans["adjusted"]
    ann_keys = first_week
    bob_keys = [
        k
        for k in keys
        if k[2] == weeks[1] and category_of[k[1]] == category and adjusted[k] != stat[k]
    ]
    for who, group, reason, verdict in (
        ("ann", ann_keys, "promotion", "more accurate"),
        ("bob", bob_keys, "event", "less accurate"),
    ):
        before_error, before_wape = _errors(stat, sold, group)
        after_error, after_wape = _errors(adjusted, sold, group)
        for page in pages:
            for attribute, value in (("planner", who), ("reason", reason)):
                row = _row(page, attribute, value)
                assert f'<td class="num">{len(group)}</td>' in row
                assert f"{before_error:,.0f} units" in row and f"{after_error:,.0f} units" in row
                assert f"{before_wape * 100:.1f} % → {after_wape * 100:.1f} %" in row
                assert _points(before_wape - after_wape) in row and verdict in row


@pytest.mark.django_db
def test_before_actuals_the_pages_say_when_value_added_will_be_measured(
    forecast_world, admin_user, client
):
    cycle = cycle_create(month=dt.date(2026, 12, 1), actor=admin_user, horizon_weeks=4)
    plan_statistical_build(cycle=cycle, actor=admin_user)
    client.force_login(admin_user)
    for name in ("planning:cycle", "planning:meeting"):
        page = client.get(reverse(name, kwargs={"pk": cycle.pk})).content.decode()
        assert "Not measured yet" in page
        assert "The first planned week ends Sun 6 Dec 2026" in page
        assert 'data-stage="' not in page
