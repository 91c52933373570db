"""The S&OP cycle's rules: versions, overrides spread exactly, stale edits, scope, reviews."""

import pytest

from audit.context import audit_context
from audit.models import AuditEntry
from planning.models import (
    Override,
    OverrideLevel,
    PlanLine,
    PlanningCycle,
    Stage,
    StageTransition,
    VersionKind,
)
from planning.services import (
    OverrideTarget,
    PlanningRefused,
    StaleLine,
    consensus_agree,
    cycle_blockers,
    cycle_reopen,
    demand_review_close,
    plan_override,
    plan_submit,
    submission_review,
    working_version,
)
from tests.planning.conftest import WEEKS, scope_of


def _line(version, store, sku, week=WEEKS[0]):
    return PlanLine.objects.get(plan_version=version, store=store, sku=sku, week=week)


def _override(version, user, target, total, **kwargs):
    return plan_override(
        version=version,
        target=target,
        new_total=total,
        reason=kwargs.pop("reason", "promotion"),
        actor=user,
        scope=scope_of(user),
        **kwargs,
    )


@pytest.mark.django_db
def test_the_statistical_version_is_the_weekly_forecast_in_whole_units_with_last_year(
    cycle_in_review, forecast_world
):
    statistical, adjusted = cycle_in_review.versions.order_by("number")
    assert (statistical.kind, statistical.read_only) == (VersionKind.STATISTICAL, True)
    assert (adjusted.kind, adjusted.read_only) == (VersionKind.ADJUSTED, False)
    assert statistical.lines.count() == adjusted.lines.count() == 4 * 4
    line = _line(adjusted, forecast_world["store_in"], forecast_world["sku_in"])
    assert (line.statistical, line.quantity, line.last_year) == (10.0, 10.0, 21.0)
    assert _line(adjusted, forecast_world["store_in"], forecast_world["sku_out"]).last_year is None
    assert list(cycle_in_review.transitions.values_list("target", flat=True)) == [
        Stage.STATISTICAL_FORECAST,
        Stage.DEMAND_REVIEW,
    ]


@pytest.mark.django_db
def test_a_category_override_spreads_to_its_lines_summing_exactly_to_an_uneven_total(
    cycle_in_review, forecast_world, people
):
    version = working_version(cycle_in_review)
    drinks = forecast_world["drinks"]
    target = OverrideTarget(level=OverrideLevel.CATEGORY, week=WEEKS[1], category_id=drinks.pk)
    override = _override(version, people["planner"], target, 101, comment="Heatwave")
    lines = PlanLine.objects.filter(plan_version=version, week=WEEKS[1], sku__category=drinks)
    quantities = sorted(lines.values_list("quantity", flat=True))
    assert sum(quantities) == 101
    # Statistical 10 and 20: shares 33.67 and 67.33 → 34 and 67.
    assert quantities == [34.0, 67.0]
    assert (override.before, override.after, override.lines_changed) == (30.0, 101.0, 2)
    assert override.lines.count() == 2
    untouched = PlanLine.objects.filter(plan_version=version, week=WEEKS[0], sku__category=drinks)
    assert sum(untouched.values_list("quantity", flat=True)) == 30


@pytest.mark.django_db
def test_a_stale_line_edit_is_refused_with_the_newer_value(cycle_in_review, forecast_world, people):
    version = working_version(cycle_in_review)
    store, sku = forecast_world["store_in"], forecast_world["sku_in"]
    seen = _line(version, store, sku).edit_version
    target = OverrideTarget(
        level=OverrideLevel.LINE, week=WEEKS[0], store_id=store.pk, sku_id=sku.pk
    )
    _override(version, people["planner"], target, 15, seen_edit_version=seen)
    with pytest.raises(StaleLine) as refused:
        _override(version, people["other_planner"], target, 12, seen_edit_version=seen)
    assert refused.value.current == 15
    assert "ann" in str(refused.value) and "15 units" in str(refused.value)
    assert _line(version, store, sku).quantity == 15


@pytest.mark.django_db
def test_a_stale_total_is_refused(cycle_in_review, forecast_world, people):
    version = working_version(cycle_in_review)
    target = OverrideTarget(
        level=OverrideLevel.REGION, week=WEEKS[0], region_id=forecast_world["north"].pk
    )
    _override(version, people["planner"], target, 50, seen_total=40)
    with pytest.raises(StaleLine) as refused:
        _override(version, people["other_planner"], target, 45, seen_total=40)
    assert refused.value.current == 50


@pytest.mark.django_db
def test_a_scoped_planner_changes_only_lines_in_scope(cycle_in_review, forecast_world, people):
    version = working_version(cycle_in_review)
    scoped = people["scoped"]
    outside = OverrideTarget(
        level=OverrideLevel.LINE,
        week=WEEKS[0],
        store_id=forecast_world["store_out"].pk,
        sku_id=forecast_world["sku_in"].pk,
    )
    with pytest.raises(PlanningRefused, match="no plan line"):
        _override(version, scoped, outside, 99)
    # A category override by a region-scoped planner touches only their region's lines.
    category = OverrideTarget(
        level=OverrideLevel.CATEGORY, week=WEEKS[0], category_id=forecast_world["drinks"].pk
    )
    override = _override(version, scoped, category, 25)
    assert override.before == 10 and override.lines_changed == 1
    south = _line(version, forecast_world["store_out"], forecast_world["sku_in"])
    assert south.quantity == 20


@pytest.mark.django_db
def test_overrides_need_a_reason_and_a_sane_number(cycle_in_review, forecast_world, people):
    version = working_version(cycle_in_review)
    target = OverrideTarget(
        level=OverrideLevel.CATEGORY, week=WEEKS[0], category_id=forecast_world["drinks"].pk
    )
    with pytest.raises(PlanningRefused, match="reason"):
        _override(version, people["planner"], target, 5, reason="because")
    with pytest.raises(PlanningRefused, match="between 0"):
        _override(version, people["planner"], target, -5)
    with pytest.raises(PlanningRefused, match="needs category_id"):
        OverrideTarget(level=OverrideLevel.CATEGORY, week=WEEKS[0])
    assert not Override.objects.exists()


@pytest.mark.django_db
def test_executives_do_not_edit_and_nobody_approves_their_own_submission(
    cycle_in_review, forecast_world, people
):
    version = working_version(cycle_in_review)
    target = OverrideTarget(
        level=OverrideLevel.CATEGORY, week=WEEKS[0], category_id=forecast_world["drinks"].pk
    )
    with pytest.raises(PlanningRefused, match="planners and admins"):
        _override(version, people["executive"], target, 5)
    submission = plan_submit(
        cycle=cycle_in_review, actor=people["admin"], scope=scope_of(people["admin"])
    )
    with pytest.raises(PlanningRefused, match="own submission"):
        submission_review(submission=submission, actor=people["admin"], approve=True)
    with pytest.raises(PlanningRefused, match="approved by an admin"):
        submission_review(submission=submission, actor=people["planner"], approve=True)
    with pytest.raises(PlanningRefused, match="why"):
        submission_review(submission=submission, actor=people["second_admin"], approve=False)


@pytest.mark.django_db
def test_a_whole_cycle_ends_read_only_and_a_change_needs_a_new_version(
    cycle_in_review, forecast_world, people
):
    planner, admin, executive = people["planner"], people["admin"], people["executive"]
    version = working_version(cycle_in_review)
    target = OverrideTarget(
        level=OverrideLevel.LINE,
        week=WEEKS[0],
        store_id=forecast_world["store_in"].pk,
        sku_id=forecast_world["sku_in"].pk,
    )
    _override(version, planner, target, 14, reason="new_listing")
    submission = plan_submit(cycle=cycle_in_review, actor=planner, scope=scope_of(planner))
    with pytest.raises(PlanningRefused, match="submitted your plan"):
        _override(version, planner, target, 16)
    assert cycle_blockers(cycle_in_review) == ["1 submission(s) waiting for review."]

    submission_review(submission=submission, actor=admin, approve=True)
    assert PlanningCycle.objects.get(pk=cycle_in_review.pk).stage == Stage.DEMAND_REVIEW
    demand_review_close(cycle=cycle_in_review, actor=admin)
    cycle = PlanningCycle.objects.get(pk=cycle_in_review.pk)
    assert cycle.stage == Stage.SUPPLY_REVIEW
    supply = cycle.submissions.get(stage="supply_review")
    submission_review(submission=supply, actor=admin, approve=True)
    consensus_agree(cycle=cycle, actor=admin, note="Baseline agreed")
    sign_off = PlanningCycle.objects.get(pk=cycle.pk).submissions.get(stage="sign_off")
    with pytest.raises(PlanningRefused, match="executive"):
        submission_review(submission=sign_off, actor=admin, approve=True)
    submission_review(submission=sign_off, actor=executive, approve=True)

    cycle = PlanningCycle.objects.get(pk=cycle.pk)
    assert cycle.stage == Stage.LOCKED
    approved = cycle.versions.get(kind=VersionKind.APPROVED)
    assert (
        approved.read_only
        and _line(approved, target_store(forecast_world), forecast_world["sku_in"]).quantity == 14
    )
    assert not cycle.versions.filter(read_only=False).exists()
    with pytest.raises(PlanningRefused):
        _override(approved, planner, target, 20)

    new = cycle_reopen(cycle=cycle, actor=admin, reason="Competitor opened next door")
    assert (new.kind, new.based_on_id, new.read_only) == (VersionKind.ADJUSTED, approved.pk, False)
    _override(new, planner, target, 20, reason="competitor")
    assert _line(approved, target_store(forecast_world), forecast_world["sku_in"]).quantity == 14
    moves = list(StageTransition.objects.filter(cycle=cycle).values_list("target", "by_name"))
    assert moves[-1] == (Stage.DEMAND_REVIEW, "admin")
    assert (Stage.LOCKED, "executive") in moves


def target_store(world):
    return world["store_in"]


@pytest.mark.django_db
def test_the_stage_cannot_be_assigned_only_transitioned(cycle_in_review):
    with pytest.raises(AttributeError):
        cycle_in_review.stage = Stage.LOCKED


@pytest.mark.django_db
def test_the_demand_review_closes_only_when_every_submission_is_reviewed(cycle_in_review, people):
    admin, ann, bob = people["admin"], people["planner"], people["other_planner"]
    with pytest.raises(PlanningRefused, match="No planner has submitted"):
        demand_review_close(cycle=cycle_in_review, actor=admin)
    first = plan_submit(cycle=cycle_in_review, actor=ann, scope=scope_of(ann))
    plan_submit(cycle=cycle_in_review, actor=bob, scope=scope_of(bob))
    submission_review(submission=first, actor=admin, approve=False, comment="Too high")
    assert cycle_blockers(cycle_in_review) == [
        "1 submission(s) waiting for review.",
        "1 submission(s) rejected and not resubmitted.",
    ]
    with pytest.raises(PlanningRefused, match="waiting for review"):
        demand_review_close(cycle=cycle_in_review, actor=admin)
    plan_submit(cycle=cycle_in_review, actor=ann, scope=scope_of(ann))
    for waiting in cycle_in_review.submissions.filter(status="submitted"):
        submission_review(submission=waiting, actor=admin, approve=True)
    assert cycle_blockers(cycle_in_review) == []
    with pytest.raises(PlanningRefused, match="admin closes"):
        demand_review_close(cycle=cycle_in_review, actor=ann)
    demand_review_close(cycle=cycle_in_review, actor=admin)
    assert PlanningCycle.objects.get(pk=cycle_in_review.pk).stage == Stage.SUPPLY_REVIEW


@pytest.mark.django_db
def test_a_submission_names_the_scope_it_covers(cycle_in_review, people):
    scoped = plan_submit(
        cycle=cycle_in_review, actor=people["scoped"], scope=scope_of(people["scoped"])
    )
    assert scoped.scope_label == "Region NORTH · Category DRINKS"
    whole = plan_submit(
        cycle=cycle_in_review, actor=people["planner"], scope=scope_of(people["planner"])
    )
    assert whole.scope_label == "whole company"


@pytest.mark.django_db
def test_stage_moves_and_review_decisions_are_audited_with_who_and_why(cycle_in_review, people):
    admin, ann = people["admin"], people["planner"]
    with audit_context(actor=ann):
        submission = plan_submit(cycle=cycle_in_review, actor=ann, scope=scope_of(ann))
    with audit_context(actor=admin):
        submission_review(submission=submission, actor=admin, approve=True)
        demand_review_close(cycle=cycle_in_review, actor=admin, comment="Agreed in the review")
    stage = AuditEntry.objects.get(object_type="planning_cycle", action="update")
    assert (stage.username, stage.before["stage"], stage.after["stage"]) == (
        "admin",
        "demand_review",
        "supply_review",
    )
    review = AuditEntry.objects.filter(object_type="plan_submission", action="update").get()
    assert (review.username, review.after["status"]) == ("admin", "approved")
    move = StageTransition.objects.filter(cycle=cycle_in_review).last()
    assert (move.by_name, move.reason) == ("admin", "Agreed in the review")
