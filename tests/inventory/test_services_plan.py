"""The inventory_plan job end to end on a small world: policies stored per store × SKU
(replacing the previous), category targets applied, the run recorded, and a scoped planner's
run touching only their scope."""

import datetime as dt

import pytest

from accounts.scoping import Scope
from history.models import InventorySnapshot
from inventory.models import (
    CategoryServiceTarget,
    InventoryPlanRun,
    InventoryPolicy,
    Recommendation,
)
from inventory.services import inventory_plan_job_start
from tests.forecasting.factories import ORIGIN, ForecastFactory, ForecastRunFactory


@pytest.fixture
def forecasted(scoped_world):
    """Four weeks of daily forecasts (10 a day, p10–p90 6–14) for both series, and stock."""
    run = ForecastRunFactory(origin=ORIGIN)
    for side in ("in", "out"):
        store, sku = scoped_world[f"store_{side}"], scoped_world[f"sku_{side}"]
        for day in range(1, 29):
            ForecastFactory(
                run=run, store=store, sku=sku, origin=ORIGIN, date=ORIGIN + dt.timedelta(days=day)
            )
        InventorySnapshot.objects.create(store=store, sku=sku, date=ORIGIN, on_hand=25)
    return scoped_world


def test_policies_only_plan_stores_a_policy_per_series(forecasted, admin_user):
    job = inventory_plan_job_start(actor=admin_user, scope=Scope.system(), solve_plan=False)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    run = InventoryPlanRun.objects.get(job=job)
    assert (run.origin, run.status) == (ORIGIN, "policies")
    policies = InventoryPolicy.objects.filter(run=run, store__isnull=False)
    assert policies.count() == 2
    for policy in policies:
        assert policy.demand_per_day == pytest.approx(10.0)
        assert policy.on_hand == 25
        assert policy.reorder_point > policy.demand_per_day * policy.lead_time_days
        assert policy.safety_stock > 0
        assert policy.explanation["window_days"] > 0
    assert job.result["policies"] == InventoryPolicy.objects.filter(run=run).count()

    again = inventory_plan_job_start(actor=admin_user, scope=Scope.system(), solve_plan=False)
    again.refresh_from_db()
    assert InventoryPolicy.objects.filter(store__isnull=False).count() == 2
    assert not InventoryPolicy.objects.filter(run=run).exists()


def test_a_category_target_raises_its_safety_stock(forecasted, admin_user):
    world = forecasted
    CategoryServiceTarget.objects.create(
        category=world["sku_in"].category, target_kind="csl", target=0.99
    )
    inventory_plan_job_start(actor=admin_user, scope=Scope.system(), solve_plan=False)
    high = InventoryPolicy.objects.get(store=world["store_in"], sku=world["sku_in"])
    low = InventoryPolicy.objects.get(store=world["store_out"], sku=world["sku_out"])
    assert (high.target, low.target) == (0.99, 0.95)
    assert high.safety_stock > low.safety_stock


def test_a_scoped_planners_run_keeps_to_their_scope(forecasted):
    world = forecasted
    planner = world["scoped_planner"]
    job = inventory_plan_job_start(actor=planner, scope=Scope.for_user(planner), solve_plan=False)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert not job.params["company_wide"]
    stored = set(InventoryPolicy.objects.values_list("store_id", "sku_id"))
    assert (world["store_in"].pk, world["sku_in"].pk) in stored
    assert (world["store_out"].pk, world["sku_out"].pk) not in stored


def test_the_full_plan_stores_recommendations_in_whole_cases(forecasted, admin_user):
    world = forecasted
    for sku in (world["sku_in"], world["sku_out"]):
        sku.case_pack, sku.min_order_qty = 12, 24
        sku.save()
    job = inventory_plan_job_start(actor=admin_user, scope=Scope.system())
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    run = InventoryPlanRun.objects.get(job=job)
    assert run.status in ("optimal", "feasible") and run.solver == "highs"
    assert run.solve_seconds is not None and run.objective is not None
    recs = list(Recommendation.objects.filter(run=run, store__isnull=False))
    # 25 on hand against 10 a day: every store needs an order within the horizon.
    assert {(r.store_id, r.sku_id) for r in recs} == {
        (world["store_in"].pk, world["sku_in"].pk),
        (world["store_out"].pk, world["sku_out"].pk),
    }
    for rec in recs:
        assert rec.quantity % 12 == 0 and rec.quantity >= 24
        assert ORIGIN < rec.order_date <= rec.arrival_date
        assert rec.reason and rec.status == "proposed"
    assert job.result["recommendations"] == Recommendation.objects.filter(run=run).count()


def test_a_horizon_with_an_order_plan_is_refused(db, admin_user):
    with pytest.raises(ValueError, match="policies-only"):
        inventory_plan_job_start(actor=admin_user, scope=Scope.system(), horizon_days=14)
