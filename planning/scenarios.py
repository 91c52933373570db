"""What-if scenarios of a cycle: recorded, computed as jobs, compared with the baseline.

A scenario's consequences are its demand (the plan's daily forecast with the scenario's
demand changes) turned into inventory policies at the company's service target, beside the
same computation on the unchanged forecast: safety stock, average stock, ordering and
holding cost, expected service level. Budget and capacity changes bind only in the order
plan, so a scenario with one is also solved as the order plan, unchanged and changed
(``planning.scenario_order_plan``): what it buys, the demand it loses, and what binds.
"""

from __future__ import annotations

from django.db import transaction

from accounts.models import Role
from accounts.roles import user_roles
from accounts.scoping import Scope
from inventory.engine.policies import policies_compute
from inventory.inputs import PolicyInputsError, policy_inputs_load
from inventory.models import InventorySettings
from jobs.models import JobRun
from jobs.services import job_start
from planning.engine.scenario import (
    ScenarioInvalid,
    changes_parse,
    daily_demand_factors,
    inventory_consequences,
    lead_time_days,
)
from planning.job_params import ScenarioParams
from planning.models import PlanningCycle, Scenario, ScenarioStatus, Stage
from planning.scenario_order_plan import (
    needs_order_plan,
    order_plan_consequences,
    series_regions,
)
from planning.services import PlanningRefused

SCENARIO_KIND = "planning_scenario"
HORIZON_DAYS = 28


def check_may_edit_scenarios(*, actor, cycle: PlanningCycle) -> None:
    if not user_roles(actor) & {Role.PLANNER, Role.ADMIN}:
        raise PlanningRefused("Planners and admins prepare scenarios.")
    if cycle.stage in (Stage.SIGN_OFF, Stage.LOCKED):
        raise PlanningRefused("The plan is agreed: scenarios are prepared before the sign-off.")


@transaction.atomic
def scenario_create(*, cycle: PlanningCycle, name: str, changes: list, actor) -> Scenario:
    """Record a named what-if; its changes are validated now, computed by a job."""
    check_may_edit_scenarios(actor=actor, cycle=cycle)
    name = name.strip()[:120]
    if not name:
        raise PlanningRefused("Give the scenario a name.")
    if Scenario.objects.filter(cycle=cycle, name=name).exists():
        raise PlanningRefused(f"The cycle already has a scenario named {name!r}.")
    try:
        changes_parse(changes)
    except ScenarioInvalid as exc:
        raise PlanningRefused(str(exc)) from exc
    return Scenario.objects.create(cycle=cycle, name=name, changes=changes, created_by=actor)


@transaction.atomic
def scenario_choose(*, scenario: Scenario, actor) -> Scenario:
    """The consensus meeting picks this scenario (one per cycle)."""
    if Role.ADMIN not in user_roles(actor):
        raise PlanningRefused("The consensus meeting's choice is recorded by an admin.")
    if scenario.status != ScenarioStatus.READY:
        raise PlanningRefused("Compute the scenario before choosing it.")
    if scenario.cycle.stage != Stage.CONSENSUS:
        raise PlanningRefused("A scenario is chosen in the consensus meeting.")
    Scenario.objects.filter(cycle=scenario.cycle, chosen=True).update(chosen=False)
    scenario.chosen = True
    scenario.save(update_fields=["chosen"])
    return scenario


def scenario_compute(*, scenario: Scenario, progress=None) -> dict:
    """The baseline's and the scenario's consequences, stored on the scenario."""
    report = progress or (lambda percent, message: None)
    changes = changes_parse(scenario.changes)
    Scenario.objects.filter(pk=scenario.pk).update(status=ScenarioStatus.COMPUTING)
    try:
        report(5, "Reading the forecast, stock and lead times")
        inputs = policy_inputs_load(scope=Scope.system(), horizon_days=HORIZON_DAYS)
    except PolicyInputsError as exc:
        Scenario.objects.filter(pk=scenario.pk).update(
            status=ScenarioStatus.FAILED, results={"error": str(exc)}
        )
        raise PlanningRefused(str(exc)) from exc
    settings = InventorySettings.current()
    series = inputs.series.copy()
    series["region_id"] = series_regions(series)
    dates = inputs.forecast_mean.columns
    factors = daily_demand_factors(series, dates, changes)
    changed = series.copy()
    changed["lead_time_days"] = lead_time_days(series, series["lead_time_days"], changes)
    mean = inputs.forecast_mean.to_numpy(float) * factors
    sd = inputs.forecast_sd.to_numpy(float) * factors
    changed["demand_per_day"] = mean.mean(axis=1)
    changed["demand_sd_per_day"] = (sd**2).mean(axis=1) ** 0.5
    results = {}
    for label, frame, daily_mean, daily_sd in (
        (
            "baseline",
            series,
            inputs.forecast_mean.to_numpy(float),
            inputs.forecast_sd.to_numpy(float),
        ),
        ("scenario", changed, mean, sd),
    ):
        report(30 if label == "baseline" else 65, f"Policies for the {label}")
        policies = policies_compute(
            frame,
            target_kind=settings.target_kind,
            target=settings.target,
            review_days=settings.review_days,
            holding_rate_per_year=settings.holding_rate_per_year,
            order_cost=settings.order_cost,
            shortage_cost_share=settings.shortage_cost_share,
            daily_mean=_frame_like(inputs.forecast_mean, daily_mean),
            daily_sd=_frame_like(inputs.forecast_sd, daily_sd),
            max_cover_days=settings.excess_cover_days,
            explain=False,
        )
        results[label] = inventory_consequences(
            frame,
            policies,
            daily_mean,
            holding_rate_per_year=settings.holding_rate_per_year,
            order_cost=settings.order_cost,
            review_days=settings.review_days,
        )
    results["as_of"] = inputs.as_of.isoformat()
    results["series"] = len(series)
    if needs_order_plan(changes):
        report(75, "Solving the order plan with and without the scenario's limits")
        try:
            results["order_plan"] = order_plan_consequences(changes=changes)
        except (PolicyInputsError, ValueError) as exc:
            results["order_plan"] = {"error": str(exc)}
    Scenario.objects.filter(pk=scenario.pk).update(status=ScenarioStatus.READY, results=results)
    report(100, "Scenario computed")
    return results


def scenario_job_work(job: JobRun, params, progress) -> dict:
    scenario = Scenario.objects.get(pk=params.scenario_id)
    Scenario.objects.filter(pk=scenario.pk).update(job=job)
    results = scenario_compute(scenario=scenario, progress=progress)
    return {"scenario": scenario.pk, "total_cost": results["scenario"]["total_cost"]}


def _frame_like(template, values):
    return template.__class__(values, index=template.index, columns=template.columns)


MEASURES = (
    ("demand_units", "Demand", "units"),
    ("demand_value", "Demand at price", "money"),
    ("safety_stock_value", "Safety stock at cost", "money"),
    ("average_stock_value", "Average stock at cost", "money"),
    ("orders", "Orders", "count"),
    ("holding_cost", "Holding cost", "money"),
    ("ordering_cost", "Ordering cost", "money"),
    ("total_cost", "Inventory cost (holding + ordering)", "money"),
    ("expected_service_level", "Expected cycle service level", "share"),
)


ORDER_PLAN_MEASURES = (
    ("purchase_value", "Plan value: supplier orders at cost", "money"),
    ("units_ordered", "Units ordered (supplier orders and transfers)", "units"),
    ("order_lines", "Order lines", "count"),
    ("lost_sales_units", "Lost sales", "units"),
    ("fill_rate", "Fill rate (share of demand served: the service level's proxy)", "share"),
    ("plan_cost", "Plan cost (purchases, holding, ordering, transport, lost sales)", "money"),
    ("budget_per_week", "Weekly purchase budget", "money"),
)
PLAN_STATUS = {
    "optimal": "optimal",
    "feasible": "feasible (optimality not proven)",
    "infeasible": "limits bind: demand lost",
}


def scenario_comparison(cycle: PlanningCycle) -> dict:
    """The cycle's scenarios beside the baseline, measure by measure, with each difference.

    The baseline is the unchanged forecast as the latest computed scenario saw it; scenarios
    computed on an older forecast say so. Scenarios with a budget or capacity change also
    have their order plan beside the unchanged order plan (the latest such scenario's).
    """
    scenarios = list(cycle.scenarios.order_by("name"))
    ready = [s for s in scenarios if s.status == ScenarioStatus.READY and "baseline" in s.results]
    latest = max(ready, key=lambda s: s.results["as_of"], default=None)
    baseline = latest.results["baseline"] if latest else None

    def policy_value(scenario: Scenario, key: str):
        return scenario.results.get("scenario", {}).get(key) if scenario in ready else None

    planned = [s for s in ready if "baseline" in s.results.get("order_plan", {})]
    latest_plan = max(planned, key=lambda s: s.results["order_plan"]["as_of"], default=None)
    plan_baseline = latest_plan.results["order_plan"]["baseline"] if latest_plan else None

    def plan_value(scenario: Scenario, key: str):
        return scenario.results["order_plan"]["scenario"].get(key) if scenario in planned else None

    return {
        "scenarios": scenarios,
        "rows": _measure_rows(MEASURES, scenarios, policy_value, baseline),
        "as_of": latest.results["as_of"] if latest else None,
        "order_plan": {
            "rows": _measure_rows(ORDER_PLAN_MEASURES, scenarios, plan_value, plan_baseline)
            if plan_baseline
            else [],
            "baseline": plan_baseline,
            "baseline_status": PLAN_STATUS.get(plan_baseline["status"]) if plan_baseline else None,
            "weeks": latest_plan.results["order_plan"]["weeks"] if latest_plan else None,
            "cells": [_plan_cell(s, s in planned) for s in scenarios],
        },
        "chart": {
            "names": ["Baseline", *[s.name for s in ready]],
            "total_cost": [
                baseline["total_cost"],
                *[s.results["scenario"]["total_cost"] for s in ready],
            ]
            if baseline
            else [],
            "average_stock_value": [
                baseline["average_stock_value"],
                *[s.results["scenario"]["average_stock_value"] for s in ready],
            ]
            if baseline
            else [],
        },
    }


def _measure_rows(measures, scenarios: list[Scenario], value_of, baseline: dict | None) -> list:
    rows = []
    for key, label, unit in measures:
        base = baseline.get(key) if baseline else None
        cells = []
        for scenario in scenarios:
            value = value_of(scenario, key)
            delta = value - base if value is not None and base is not None else None
            relative = delta / base if delta is not None and base else None
            cells.append(
                {
                    "value": value,
                    "delta": delta,
                    "relative_pct": None if relative is None else round(relative * 100, 1),
                    "better": _better(key, delta),
                }
            )
        rows.append({"key": key, "label": label, "unit": unit, "baseline": base, "cells": cells})
    return rows


def _plan_cell(scenario: Scenario, planned: bool) -> dict:
    """A scenario's order plan in words: its status, what binds, the plan's explanation."""
    plan = scenario.results.get("order_plan", {})
    if not planned:
        return {"name": scenario.name, "error": plan.get("error"), "planned": False}
    solved = plan["scenario"]
    return {
        "name": scenario.name,
        "planned": True,
        "status": PLAN_STATUS.get(solved["status"], solved["status"]),
        "binding": solved["binding"],
        "explanation": solved["explanation"],
        "notes": plan.get("notes", []),
    }


# Less is better for stock, cost and lost sales, more for service; demand, what the plan
# buys and the budget itself are neither.
LESS_IS_BETTER = frozenset(
    {
        "safety_stock_value",
        "average_stock_value",
        "orders",
        "holding_cost",
        "ordering_cost",
        "total_cost",
        "lost_sales_units",
        "plan_cost",
    }
)
NEITHER = frozenset({"purchase_value", "units_ordered", "order_lines", "budget_per_week"})


def _better(key: str, delta: float | None) -> bool | None:
    if delta is None or delta == 0 or key.startswith("demand") or key in NEITHER:
        return None
    return delta < 0 if key in LESS_IS_BETTER else delta > 0


def scenario_job_start(*, scenario: Scenario, actor) -> JobRun:
    """Compute a scenario as a job (the one way to start work)."""
    check_may_edit_scenarios(actor=actor, cycle=scenario.cycle)
    Scenario.objects.filter(pk=scenario.pk).update(status=ScenarioStatus.COMPUTING)
    return job_start(
        kind=SCENARIO_KIND, params=ScenarioParams(scenario_id=scenario.pk), actor=actor
    )
