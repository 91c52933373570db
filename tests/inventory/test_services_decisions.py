"""The planner's decisions on recommendations: rounding to cases and the MOQ, optimistic
locking, scope, all-or-nothing bulk decisions, and the audit log of each change."""

import datetime as dt

import pandas as pd
import pytest

from accounts.scoping import Scope
from audit.context import audit_context
from audit.models import AuditEntry
from inventory.models import InventoryPolicy, Recommendation, RecommendationStatus
from inventory.services import (
    DecisionRefused,
    StaleDecision,
    order_quantity_rounded,
    policies_store,
    recommendation_accept,
    recommendation_edit,
    recommendation_reject,
    recommendations_decide,
    recommendations_store,
)
from tests.factories import SKUFactory, StoreFactory
from tests.inventory.recommendation_factories import (
    PLAN_ORIGIN,
    InventoryPlanRunFactory,
    InventoryPolicyFactory,
    RecommendationFactory,
)

SYSTEM = Scope.system()


@pytest.mark.parametrize(
    ("asked", "pack", "moq", "units", "cases"),
    [(48, 12, 24, 48, 4), (49, 12, 24, 60, 5), (25, 12, 24, 36, 3), (7, 1, 1, 7, 7)],
)
def test_quantities_round_up_to_whole_cases(asked, pack, moq, units, cases):
    rounded = order_quantity_rounded(quantity=asked, case_pack=pack, min_order_qty=moq)
    assert (rounded.units, rounded.cases) == (units, cases)
    assert bool(rounded.note) == (units != asked)


@pytest.mark.parametrize(
    ("asked", "message"),
    [
        (0, "reject"),
        (-5, "reject"),
        (float("nan"), "Enter a quantity"),
        (12, "below the minimum order of 30 units: enter at least 36 units (3 cases of 12)"),
    ],
)
def test_bad_quantities_are_refused_with_the_reason(asked, message):
    with pytest.raises(DecisionRefused, match=message.replace("(", r"\(").replace(")", r"\)")):
        order_quantity_rounded(quantity=asked, case_pack=12, min_order_qty=30)


@pytest.fixture
def rec(db):
    return RecommendationFactory()


def test_accept_approves_the_recommended_quantity_and_is_audited(rec, planner):
    with audit_context(actor=planner):
        done = recommendation_accept(scope=SYSTEM, actor=planner, pk=rec.pk, version=1)
    assert (done.status, done.final_quantity, done.version) == ("accepted", 48.0, 2)
    assert done.decided_by == planner and done.decided_at is not None
    entry = AuditEntry.objects.get(object_type="recommendation", object_id=str(rec.pk))
    assert entry.username == planner.username
    assert entry.before["status"] == "proposed" and entry.after["status"] == "accepted"


def test_edit_rounds_to_cases_and_records_the_final_quantity(rec, planner):
    with audit_context(actor=planner):
        done, note = recommendation_edit(
            scope=SYSTEM, actor=planner, pk=rec.pk, version=1, quantity=50
        )
    assert (done.status, done.final_quantity, done.quantity) == ("edited", 60.0, 48.0)
    assert "5 whole cases of 12" in note
    entry = AuditEntry.objects.get(object_type="recommendation", object_id=str(rec.pk))
    assert entry.after["final_quantity"] == 60.0


def test_edit_to_the_recommended_quantity_is_an_acceptance(rec, planner):
    done, note = recommendation_edit(scope=SYSTEM, actor=planner, pk=rec.pk, version=1, quantity=48)
    assert (done.status, done.final_quantity, note) == ("accepted", 48.0, "")


def test_refused_edit_changes_nothing(rec, planner):
    with pytest.raises(DecisionRefused, match="minimum order of 24"):
        recommendation_edit(scope=SYSTEM, actor=planner, pk=rec.pk, version=1, quantity=5)
    rec.refresh_from_db()
    assert (rec.status, rec.final_quantity, rec.version) == ("proposed", None, 1)
    assert not AuditEntry.objects.filter(object_type="recommendation").exists()


def test_a_stale_version_is_refused(rec, planner, admin_user):
    recommendation_reject(scope=SYSTEM, actor=admin_user, pk=rec.pk, version=1)
    with pytest.raises(StaleDecision, match="Someone changed"):
        recommendation_accept(scope=SYSTEM, actor=planner, pk=rec.pk, version=1)
    rec.refresh_from_db()
    assert (rec.status, rec.decided_by) == ("rejected", admin_user)


def test_out_of_scope_rows_are_missing(scoped_world):
    out = RecommendationFactory(store=scoped_world["store_out"], sku=scoped_world["sku_out"])
    scope = Scope.for_user(scoped_world["scoped_planner"])
    with pytest.raises(Recommendation.DoesNotExist):
        recommendation_accept(
            scope=scope, actor=scoped_world["scoped_planner"], pk=out.pk, version=1
        )
    out.refresh_from_db()
    assert out.status == "proposed"


def test_bulk_decisions_are_all_or_nothing(scoped_world):
    planner = scoped_world["scoped_planner"]
    scope = Scope.for_user(planner)
    inside = [
        RecommendationFactory(store=scoped_world["store_in"], sku=scoped_world["sku_in"])
        for _ in range(3)
    ]
    out = RecommendationFactory(store=scoped_world["store_out"], sku=scoped_world["sku_out"])
    with pytest.raises(Recommendation.DoesNotExist):
        recommendations_decide(
            scope=scope,
            actor=planner,
            versions={**{r.pk: 1 for r in inside}, out.pk: 1},
            accept=True,
        )
    assert set(Recommendation.objects.values_list("status", flat=True)) == {"proposed"}
    recommendation_reject(scope=scope, actor=planner, pk=inside[0].pk, version=1)
    with pytest.raises(StaleDecision):
        recommendations_decide(
            scope=scope, actor=planner, versions={r.pk: 1 for r in inside}, accept=True
        )
    changed = recommendations_decide(
        scope=scope,
        actor=planner,
        versions={inside[0].pk: 2, inside[1].pk: 1, inside[2].pk: 1},
        accept=True,
    )
    assert changed == 3
    assert set(
        Recommendation.objects.filter(pk__in=[r.pk for r in inside]).values_list(
            "status", "final_quantity"
        )
    ) == {("accepted", 48.0)}
    assert Recommendation.objects.get(pk=out.pk).status == "proposed"


def test_bulk_needs_rows(db, planner):
    with pytest.raises(DecisionRefused, match="Tick at least one"):
        recommendations_decide(scope=SYSTEM, actor=planner, versions={}, accept=False)


def test_policies_replace_the_previous_policy_of_each_pair(db):
    old = InventoryPolicyFactory()
    other = InventoryPolicyFactory()
    run = InventoryPlanRunFactory()
    frame = pd.DataFrame(
        [
            {
                "store_id": old.store_id,
                "warehouse_id": None,
                "sku_id": old.sku_id,
                "policy_type": "sS",
                "target_kind": "csl",
                "target": 0.98,
                "demand_per_day": 4.0,
                "demand_sd_lead_time": 5.0,
                "lead_time_days": 3.0,
                "lead_time_sd_days": 0.5,
                "safety_stock": 10.3,
                "reorder_point": 22.3,
                "order_up_to": 50.0,
                "order_quantity": float("nan"),
                "expected_csl": 0.98,
                "on_hand": 12.0,
                "on_order": 0.0,
                "explanation": {"steps": []},
            }
        ]
    )
    assert policies_store(run=run, policies=frame) == 1
    current = InventoryPolicy.objects.get(store=old.store, sku=old.sku)
    assert (current.run, current.policy_type, current.order_quantity) == (run, "sS", None)
    assert InventoryPolicy.objects.filter(pk=other.pk).exists()


def test_recommendations_store_dates_and_withdraws_undecided_proposals(db, planner):
    store, sku = StoreFactory(), SKUFactory()
    earlier = RecommendationFactory(store=store, sku=sku)
    decided = RecommendationFactory(store=store, sku=sku)
    recommendation_accept(scope=SYSTEM, actor=planner, pk=decided.pk, version=1)
    run = InventoryPlanRunFactory()
    lines = pd.DataFrame(
        [
            {
                "store_id": store.pk,
                "warehouse_id": None,
                "sku_id": sku.pk,
                "source_warehouse_id": None,
                "order_period": 0,
                "arrival_period": 6,
                "quantity": 36.0,
                "cost": 54.0,
                "reason": "Below the reorder point",
            },
            {
                "store_id": store.pk,
                "warehouse_id": None,
                "sku_id": sku.pk,
                "source_warehouse_id": None,
                "order_period": 3,
                "arrival_period": 9,
                "quantity": 0.0,
                "cost": 0.0,
                "reason": "nothing",
            },
        ]
    )
    weeks = [PLAN_ORIGIN + dt.timedelta(days=1 + 7 * n) for n in range(4)]
    assert recommendations_store(run=run, lines=lines, period_starts=weeks, scope=SYSTEM) == 1
    assert not Recommendation.objects.filter(pk=earlier.pk).exists()
    assert Recommendation.objects.filter(pk=decided.pk).exists()
    new = Recommendation.objects.get(run=run)
    assert (new.order_date - PLAN_ORIGIN).days == 1
    assert (new.arrival_date - PLAN_ORIGIN).days == 1 + 6 * 7  # past the horizon: weeks go on
    assert (new.quantity, new.status) == (36.0, RecommendationStatus.PROPOSED)
