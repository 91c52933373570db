"""Who may open the inventory pages, decide recommendations, start a plan and read the
recommendations API.

Every role reads the worklist, a policy page, the health dashboard and the API; planners and
admins decide and plan. A scoped planner gets 404 for a policy, a decision or an API row
outside their scope, and a bulk decision naming one is refused whole (nothing written).
"""

from jobs.models import JobRun, JobStatus
from tests.inventory.recommendation_factories import (
    InventoryPlanRunFactory,
    InventoryPolicyFactory,
    RecommendationFactory,
)
from tests.permissions import ALL_ROLES, PLANNING_ROLES, UrlRule


def extend_world(world) -> None:
    run = InventoryPlanRunFactory()
    world["plan_job"] = JobRun.objects.create(
        kind="inventory_plan", created_by=world["planner"], status=JobStatus.SUCCEEDED, progress=100
    )
    world["inventory_run"] = run
    for side in ("in", "out"):
        store, sku = world[f"store_{side}"], world[f"sku_{side}"]
        world[f"policy_{side}"] = InventoryPolicyFactory(run=run, store=store, sku=sku)
        world[f"recommendation_{side}"] = RecommendationFactory(run=run, store=store, sku=sku)


def _pk(key: str):
    return lambda world: {"pk": world[key].pk}


def _policy(side: str):
    return lambda world: {"store_pk": world[f"store_{side}"].pk, "sku_pk": world[f"sku_{side}"].pk}


def _decision(key: str):
    return lambda world: {"action": "accept", "version": world[key].version}


def _bulk(*keys: str):
    return lambda world: {
        "action": "reject",
        "select": [f"{world[key].pk}:{world[key].version}" for key in keys],
    }


URL_RULES = [
    UrlRule("inventory:worklist", ALL_ROLES),
    UrlRule("inventory:health", ALL_ROLES),
    UrlRule(
        "inventory:policy",
        ALL_ROLES,
        kwargs=_policy("in"),
        out_of_scope_kwargs=_policy("out"),
    ),
    # A planner follows the progress of the plans they started (their own job runs).
    UrlRule(
        "inventory:plan_progress",
        PLANNING_ROLES,
        kwargs=lambda world: {"pk": world["plan_job"].pk},
    ),
    UrlRule("inventory:plan", PLANNING_ROLES, method="POST", status=302),
    UrlRule(
        "inventory:decide",
        PLANNING_ROLES,
        method="POST",
        kwargs=_pk("recommendation_in"),
        data=_decision("recommendation_in"),
        out_of_scope_kwargs=_pk("recommendation_out"),
        out_of_scope_data=_decision("recommendation_out"),
        status=302,
    ),
    UrlRule(
        "inventory:decide_bulk",
        PLANNING_ROLES,
        method="POST",
        data=_bulk("recommendation_in"),
        out_of_scope_data=_bulk("recommendation_in", "recommendation_out"),
        status=302,
    ),
    UrlRule("recommendation-list", ALL_ROLES, api=True),
    UrlRule(
        "recommendation-detail",
        ALL_ROLES,
        api=True,
        kwargs=_pk("recommendation_in"),
        out_of_scope_kwargs=_pk("recommendation_out"),
    ),
]
