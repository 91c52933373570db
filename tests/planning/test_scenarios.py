"""Scenarios: +20 % demand for a category costs more stock and more money than the baseline."""

import datetime as dt

import pytest

from planning.models import ScenarioStatus
from planning.scenarios import scenario_choose, scenario_compute, scenario_create
from planning.services import PlanningRefused, cycle_create


@pytest.mark.django_db
def test_more_demand_for_a_category_needs_more_stock_and_costs_more(daily_forecast, admin_user):
    cycle = cycle_create(month=dt.date(2026, 12, 1), actor=admin_user)
    drinks = daily_forecast["drinks"]
    scenario = scenario_create(
        cycle=cycle,
        name="Heatwave: drinks +20 %",
        changes=[{"type": "demand", "pct": 20, "category_ids": [drinks.pk]}],
        actor=admin_user,
    )
    results = scenario_compute(scenario=scenario)
    scenario.refresh_from_db()
    assert scenario.status == ScenarioStatus.READY and scenario.results == results
    base, what_if = results["baseline"], results["scenario"]
    # Drinks (COLA, 10 a day at both stores) are 20 % up: 2 × 10 × 28 × 0.2 = 112 units more.
    assert what_if["demand_units"] - base["demand_units"] == pytest.approx(112)
    assert what_if["safety_stock_value"] > base["safety_stock_value"]
    assert what_if["average_stock_value"] > base["average_stock_value"]
    assert what_if["total_cost"] > base["total_cost"]
    assert "order_plan" not in results  # no budget or capacity change: no order plan to solve


@pytest.mark.django_db
def test_scenarios_are_validated_and_chosen_only_in_the_meeting(
    daily_forecast, admin_user, executive
):
    cycle = cycle_create(month=dt.date(2026, 12, 1), actor=admin_user)
    with pytest.raises(PlanningRefused, match="between -100 and 500"):
        scenario_create(
            cycle=cycle, name="Boom", changes=[{"type": "demand", "pct": 900}], actor=admin_user
        )
    with pytest.raises(PlanningRefused, match="Planners and admins"):
        scenario_create(
            cycle=cycle, name="Boom", changes=[{"type": "demand", "pct": 9}], actor=executive
        )
    scenario = scenario_create(
        cycle=cycle,
        name="Tight budget",
        changes=[{"type": "budget", "per_week": 1000}],
        actor=admin_user,
    )
    with pytest.raises(PlanningRefused, match="Compute"):
        scenario_choose(scenario=scenario, actor=admin_user)
    assert "scenario" in scenario_compute(scenario=scenario)["order_plan"]
    scenario.refresh_from_db()
    with pytest.raises(PlanningRefused, match="consensus meeting"):
        scenario_choose(scenario=scenario, actor=admin_user)


@pytest.mark.django_db
def test_slower_suppliers_need_more_safety_stock(daily_forecast, admin_user):
    cycle = cycle_create(month=dt.date(2026, 12, 1), actor=admin_user)
    scenario = scenario_create(
        cycle=cycle,
        name="Suppliers 3 days slower",
        changes=[{"type": "lead_time", "days": 3}],
        actor=admin_user,
    )
    results = scenario_compute(scenario=scenario)
    assert results["scenario"]["demand_units"] == results["baseline"]["demand_units"]
    assert results["scenario"]["safety_stock_value"] > results["baseline"]["safety_stock_value"]
