"""Budget and capacity scenarios go through the inventory order plan: a budget cut buys less,
loses demand and says the budget binds; a capacity cut fills a store; the page shows it.

The world (``daily_forecast``): two stores without a warehouse, each selling 10 COLA and
30 CHIPS a day (unit cost 1.50) over 28 days, no stock, no budget and no capacity set.
"""

import datetime as dt

import pytest
from django.urls import reverse

from inventory.models import StorageCapacity
from planning.scenarios import scenario_compute, scenario_create
from planning.services import cycle_create

DEMAND = 2 * (10 + 30) * 28  # units over the four weeks


def _compute(cycle, admin, name, changes):
    scenario = scenario_create(cycle=cycle, name=name, changes=changes, actor=admin)
    return scenario, scenario_compute(scenario=scenario)["order_plan"]


@pytest.mark.django_db
def test_a_budget_cut_buys_less_loses_demand_and_names_the_budget(
    daily_forecast, admin_user, client
):
    cycle = cycle_create(month=dt.date(2026, 12, 1), actor=admin_user)
    _, plan = _compute(cycle, admin_user, "Budget cut", [{"type": "budget", "per_week": 200}])
    base, cut = plan["baseline"], plan["scenario"]
    weeks = plan["weeks"]
    assert base["demand_units"] == cut["demand_units"] == pytest.approx(DEMAND)
    assert base["budget_per_week"] is None and cut["budget_per_week"] == 200
    assert base["binding"] == [] and base["budget_binding_weeks"] == 0
    # Purchases never exceed the budget, so they fall well below the unconstrained plan.
    assert cut["purchase_value"] <= 200 * weeks + 1e-6 < base["purchase_value"]
    assert cut["lost_sales_units"] > base["lost_sales_units"]
    assert cut["fill_rate"] == pytest.approx(1 - cut["lost_sales_units"] / DEMAND)
    assert cut["fill_rate"] < base["fill_rate"]
    assert cut["status"] == "infeasible" and cut["budget_binding_weeks"] >= 1
    assert cut["binding"][0].startswith(
        f"Budget: purchases reach it in {cut['budget_binding_weeks']} of {weeks} weeks"
    )
    assert "Budget of the week of" in cut["explanation"]

    client.force_login(admin_user)
    page = client.get(reverse("planning:scenarios", kwargs={"pk": cycle.pk})).content.decode()
    assert "Order plan under the scenario's budget and capacity" in page
    assert "limits bind: demand lost" in page.lower()
    assert f"€{cut['purchase_value']:,.0f}" in page and f"€{base['purchase_value']:,.0f}" in page
    assert f"{cut['lost_sales_units']:,.0f} units" in page
    assert f"{cut['fill_rate'] * 100:.1f} %" in page
    assert "Budget: purchases reach it in" in page


@pytest.mark.django_db
def test_demand_changes_reach_the_order_plan_too(daily_forecast, admin_user):
    cycle = cycle_create(month=dt.date(2026, 12, 1), actor=admin_user)
    drinks = daily_forecast["drinks"]
    _, plan = _compute(
        cycle,
        admin_user,
        "Heatwave within budget",
        [
            {"type": "demand", "pct": 20, "category_ids": [drinks.pk]},
            {"type": "budget", "per_week": 1e6},
        ],
    )
    # COLA, 10 a day at two stores for 28 days, is 20 % up.
    assert plan["scenario"]["demand_units"] - plan["baseline"]["demand_units"] == pytest.approx(
        2 * 10 * 28 * 0.2
    )
    assert plan["scenario"]["budget_binding_weeks"] == 0
    assert plan["scenario"]["units_ordered"] > plan["baseline"]["units_ordered"]


@pytest.mark.django_db
def test_a_capacity_cut_fills_the_store_and_says_so(daily_forecast, admin_user):
    store = daily_forecast["store_in"]
    # 280 units a week sell there: 400 leaves room, half of it does not.
    StorageCapacity.objects.create(store=store, capacity_units=400)
    cycle = cycle_create(month=dt.date(2026, 12, 1), actor=admin_user)
    _, plan = _compute(cycle, admin_user, "Half the shelf", [{"type": "capacity", "pct": -50}])
    base, cut = plan["baseline"], plan["scenario"]
    assert cut["capacity_full"] > base["capacity_full"]
    assert any(text.startswith("Capacity:") and store.code in text for text in cut["binding"])
    assert cut["lost_sales_units"] > base["lost_sales_units"]
    assert plan["notes"] == []


@pytest.mark.django_db
def test_a_capacity_change_without_capacities_says_it_has_nothing_to_scale(
    daily_forecast, admin_user
):
    cycle = cycle_create(month=dt.date(2026, 12, 1), actor=admin_user)
    _, plan = _compute(cycle, admin_user, "More room", [{"type": "capacity", "pct": 30}])
    assert plan["scenario"]["purchase_value"] == pytest.approx(plan["baseline"]["purchase_value"])
    assert "no limit to scale" in plan["notes"][0]
