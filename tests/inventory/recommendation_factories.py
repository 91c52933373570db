"""factory_boy factories for plan runs, store policies and recommendations (pages and API)."""

import datetime as dt

import factory

from inventory.models import (
    InventoryPlanRun,
    InventoryPolicy,
    PlanStatus,
    PolicyType,
    Recommendation,
    TargetKind,
)
from tests.factories import SKUFactory, StoreFactory

PLAN_ORIGIN = dt.date(2025, 1, 19)


class InventoryPlanRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InventoryPlanRun

    origin = PLAN_ORIGIN
    horizon_days = 28
    target_kind = TargetKind.CYCLE_SERVICE_LEVEL
    target = 0.95
    status = PlanStatus.OPTIMAL
    solver = "highs"
    solve_seconds = 0.4
    mip_gap = 0.0
    objective = 1234.5


class InventoryPolicyFactory(factory.django.DjangoModelFactory):
    """A store × SKU's (r, Q) policy: 10 units a day, 7 days of lead time, 95 % CSL."""

    class Meta:
        model = InventoryPolicy

    run = factory.SubFactory(InventoryPlanRunFactory)
    store = factory.SubFactory(StoreFactory)
    sku = factory.SubFactory(SKUFactory)
    policy_type = PolicyType.REORDER_POINT_QUANTITY
    target_kind = TargetKind.CYCLE_SERVICE_LEVEL
    target = 0.95
    demand_per_day = 10.0
    demand_sd_lead_time = 12.0
    lead_time_days = 7.0
    lead_time_sd_days = 1.0
    safety_stock = 19.7
    reorder_point = 89.7
    order_quantity = 120.0
    expected_csl = 0.95
    on_hand = 60.0
    on_order = 0.0
    explanation = factory.LazyFunction(
        lambda: {
            "steps": [
                {"label": "z for 95 % CSL", "formula": "z = Φ⁻¹(0.95)", "value": 1.645},
                {"label": "Safety stock", "formula": "SS = z × σ_L", "value": 19.7},
            ]
        }
    )


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    run = factory.SubFactory(InventoryPlanRunFactory)
    store = factory.SubFactory(StoreFactory)
    sku = factory.SubFactory(SKUFactory, case_pack=12, min_order_qty=24)
    order_date = PLAN_ORIGIN + dt.timedelta(days=1)
    arrival_date = PLAN_ORIGIN + dt.timedelta(days=8)
    quantity = 48.0
    cost = 72.0
    reason = "Stock falls below the reorder point (90 units) on Tue 21 Jan; 48 units cover 5 days."
