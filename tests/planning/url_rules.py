"""Who may open the S&OP cycle's pages, act on a cycle and read the approved plan.

Every role reads the cycles, the grid, the meeting view, the approval queue, the exports and
the approved plan's API; planners and admins edit the plan and submit it; admins move the
cycle (statistical version, demand review, consensus, reopening); admins and executives
review (which review each may approve is the service's rule, answered with a message).
A scoped planner gets 404 for a grid drilled into a category outside their scope, for a
cell edit of a line outside it and for an approved line outside it.
"""

import datetime as dt

from planning.models import (
    PlanLine,
    PlanningCycle,
    PlanVersion,
    ReviewStage,
    Scenario,
    Stage,
    Submission,
    VersionKind,
)
from tests.factories import UserFactory
from tests.permissions import ADMIN_ONLY, ALL_ROLES, PLANNING_ROLES, UrlRule

WEEKS = [dt.date(2026, 12, 6), dt.date(2026, 12, 13)]


def _lines(version, world) -> dict:
    lines = {}
    for side in ("in", "out"):
        for week in WEEKS:
            lines[(side, week)] = PlanLine.objects.create(
                plan_version=version,
                store=world[f"store_{side}"],
                sku=world[f"sku_{side}"],
                week=week,
                statistical=10,
                last_year=8,
                quantity=10,
            )
    return lines


def extend_world(world) -> None:
    cycle = PlanningCycle.objects.create(
        month=dt.date(2026, 12, 1),
        name="S&OP December 2026",
        stage=Stage.DEMAND_REVIEW,
        first_week=WEEKS[0],
        horizon_weeks=len(WEEKS),
    )
    statistical = PlanVersion.objects.create(
        cycle=cycle, number=1, kind=VersionKind.STATISTICAL, read_only=True
    )
    adjusted = PlanVersion.objects.create(
        cycle=cycle, number=2, kind=VersionKind.ADJUSTED, based_on=statistical
    )
    _lines(statistical, world)
    lines = _lines(adjusted, world)
    world["plan_cycle"] = cycle
    world["plan_scenario"] = Scenario.objects.create(
        cycle=cycle, name="Drinks +20 %", changes=[{"type": "demand", "pct": 20}]
    )
    world["plan_line_in"] = lines[("in", WEEKS[0])]
    world["plan_submission"] = Submission.objects.create(
        cycle=cycle,
        plan_version=adjusted,
        stage=ReviewStage.DEMAND,
        scope_label="North",
        submitted_by=UserFactory(username="planner_two", role="planner"),
    )
    locked = PlanningCycle.objects.create(
        month=dt.date(2026, 11, 1),
        name="S&OP November 2026",
        stage=Stage.LOCKED,
        first_week=WEEKS[0] - dt.timedelta(weeks=4),
        horizon_weeks=len(WEEKS),
    )
    approved = PlanVersion.objects.create(
        cycle=locked, number=1, kind=VersionKind.APPROVED, read_only=True
    )
    approved_lines = _lines(approved, world)
    world["approved_line_in"] = approved_lines[("in", WEEKS[0])]
    world["approved_line_out"] = approved_lines[("out", WEEKS[0])]


def _cycle(world) -> dict:
    return {"pk": world["plan_cycle"].pk}


def _version(world) -> dict:
    return {"pk": world["plan_cycle"].pk, "number": 2}


def _cell(side: str, **extra):
    def data(world) -> dict:
        return {
            "category": world["drinks" if side == "in" else "snacks"].pk,
            "region": world["north" if side == "in" else "south"].pk,
            "store": world[f"store_{side}"].pk,
            "level": "line",
            "row": world[f"sku_{side}"].pk,
            "week": WEEKS[0].isoformat(),
            "seen_edit_version": 1,
            **extra,
        }

    return data


URL_RULES = [
    UrlRule("planning:cycles", ALL_ROLES),
    UrlRule("planning:approvals", ALL_ROLES),
    UrlRule("planning:cycle", ALL_ROLES, kwargs=_cycle),
    UrlRule("planning:meeting", ALL_ROLES, kwargs=_cycle),
    UrlRule("planning:scenarios", ALL_ROLES, kwargs=_cycle),
    UrlRule(
        "planning:scenarios",
        PLANNING_ROLES,
        method="POST",
        kwargs=_cycle,
        data={"name": "Heatwave", "change": "demand", "amount": "20"},
        status=302,
    ),
    UrlRule(
        "planning:scenario_choose",
        ADMIN_ONLY,
        method="POST",
        kwargs=lambda w: {"pk": w["plan_scenario"].pk},
        status=302,
    ),
    UrlRule(
        "planning:grid",
        ALL_ROLES,
        kwargs=_version,
        data=lambda w: {"category": w["drinks"].pk},
        out_of_scope_data=lambda w: {"category": w["snacks"].pk},
    ),
    UrlRule(
        "planning:export",
        ALL_ROLES,
        kwargs=lambda w: {**_version(w), "fmt": "csv"},
    ),
    UrlRule(
        "planning:cell_edit",
        PLANNING_ROLES,
        kwargs=_version,
        data=_cell("in"),
        out_of_scope_data=_cell("out"),
    ),
    UrlRule(
        "planning:cell_edit",
        PLANNING_ROLES,
        method="POST",
        kwargs=_version,
        data=_cell("in", quantity="12", reason="promotion"),
        out_of_scope_data=_cell("out", quantity="12", reason="promotion"),
        status=302,
    ),
    UrlRule("planning:statistical_build", ADMIN_ONLY, method="POST", kwargs=_cycle, status=302),
    UrlRule("planning:open_demand_review", ADMIN_ONLY, method="POST", kwargs=_cycle, status=302),
    UrlRule("planning:submit", PLANNING_ROLES, method="POST", kwargs=_cycle, status=302),
    UrlRule("planning:close_demand_review", ADMIN_ONLY, method="POST", kwargs=_cycle, status=302),
    UrlRule("planning:consensus", ADMIN_ONLY, method="POST", kwargs=_cycle, status=302),
    UrlRule(
        "planning:reopen",
        ADMIN_ONLY,
        method="POST",
        kwargs=_cycle,
        data={"reason": "Competitor opened next door"},
        status=302,
    ),
    UrlRule(
        "planning:review",
        frozenset({"admin", "executive"}),
        method="POST",
        kwargs=lambda w: {"pk": w["plan_submission"].pk},
        data={"decision": "reject", "comment": "Too optimistic for the north"},
        status=302,
    ),
    UrlRule("approved-plan-list", ALL_ROLES, api=True),
    UrlRule(
        "approved-plan-detail",
        ALL_ROLES,
        api=True,
        kwargs=lambda w: {"pk": w["approved_line_in"].pk},
        out_of_scope_kwargs=lambda w: {"pk": w["approved_line_out"].pk},
    ),
]
