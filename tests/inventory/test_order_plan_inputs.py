"""The order plan's problem read in bulk from forecasts, stock, settings and capacities."""

import datetime as dt

import numpy as np
import pytest

from accounts.scoping import Scope
from forecasting.models import Forecast, ForecastRun, Granularity
from history.models import InventorySnapshot
from inventory.engine.order_plan import order_plan_solve
from inventory.models import InventorySettings, StorageCapacity
from inventory.order_plan_inputs import order_plan_inputs_load
from tests.factories import RegionFactory, SKUFactory, StoreFactory, WarehouseFactory

ORIGIN = dt.date(2025, 3, 2)


@pytest.fixture
def world(db):
    region = RegionFactory(code="NORTH")
    warehouse = WarehouseFactory(code="DC1", name="Leeds DC", region=region)
    stores = [
        StoreFactory(code=f"S{i}", name=f"Shop {i}", region=region, warehouse=warehouse)
        for i in range(2)
    ]
    beans = SKUFactory(
        code="BEANS",
        name="Coffee beans",
        lead_time_days=9,
        min_order_qty=24,
        case_pack=6,
        unit_cost=4,
        unit_price=7,
    )
    run = ForecastRun.objects.create(
        granularity=Granularity.DAILY,
        horizon=28,
        windows=1,
        origin=ORIGIN,
        chunks_total=1,
        chunks_done=1,
    )
    rows = []
    for store in stores:
        for day in range(1, 29):
            mean = 10.0 if day <= 14 else 20.0
            rows.append(
                Forecast(
                    store=store,
                    sku=beans,
                    granularity=Granularity.DAILY,
                    origin=ORIGIN,
                    date=ORIGIN + dt.timedelta(days=day),
                    forecast=mean,
                    p10=mean - 4,
                    p50=mean,
                    p90=mean + 4,
                    model="ets",
                    run=run,
                )
            )
    Forecast.objects.bulk_create(rows)
    InventorySnapshot.objects.create(
        store=stores[0], sku=beans, date=ORIGIN, on_hand=40, on_order=12
    )
    StorageCapacity.objects.create(store=stores[1], capacity_units=500)
    rules = InventorySettings.current()
    rules.budget_per_week = 300.0
    rules.save()
    return {"stores": stores, "warehouse": warehouse, "beans": beans}


def test_problem_is_weekly_with_stock_terms_capacity_and_budget(world):
    plan = order_plan_inputs_load(scope=Scope.system())
    problem = plan.problem
    assert plan.as_of == ORIGIN
    assert plan.period_starts == [ORIGIN + dt.timedelta(days=1 + 7 * t) for t in range(4)]
    assert problem.periods == 4
    assert list(problem.stores.index) == [s.pk for s in world["stores"]]
    assert (problem.stores["warehouse_id"] == world["warehouse"].pk).all()
    assert problem.stores["name"].iloc[0] == "S0 Shop 0"
    assert np.isnan(problem.stores["capacity_units"].iloc[0])
    assert problem.stores["capacity_units"].iloc[1] == 500
    sku = problem.skus.loc[world["beans"].pk]
    assert (sku["moq"], sku["case_pack"], sku["unit_cost"]) == (24, 6, 4)
    assert sku["lead_time_periods"] == 1  # 9 days round to one week
    # 10 a day for two weeks, then 20 a day
    assert problem.store_demand[0, 0].tolist() == [70.0, 70.0, 140.0, 140.0]
    assert problem.store_opening_stock[0, 0] == 40
    assert problem.store_scheduled_receipts[0, 0].tolist() == [12.0, 0.0, 0.0, 0.0]
    assert problem.store_safety_stock[0, 0] > 0
    assert problem.budget_per_period.tolist() == [300.0] * 4
    assert problem.label(0) == "the week of 3 Mar"


def test_plan_from_the_database_respects_the_budget_and_explains_it(world):
    plan = order_plan_inputs_load(scope=Scope.system())
    solution = order_plan_solve(plan.problem, time_limit_s=30)
    lines = solution.lines
    supplier = lines[lines["source_warehouse_id"].isna()]
    assert (supplier["warehouse_id"] == world["warehouse"].pk).all()
    assert (supplier["quantity"] % 6 == 0).all() and (supplier["quantity"] >= 24).all()
    spend = (supplier["quantity"] * 4).groupby(supplier["order_period"]).sum()
    assert (spend <= 300 + 1e-6).all()
    assert solution.status == "infeasible"
    assert "Budget of the week of" in solution.explanation
    assert "(€300)" in solution.explanation
