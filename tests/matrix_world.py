"""The ``matrix_world`` fixture: the objects every URL rule of the permission matrix points at.

Keys of the base world (other apps add theirs, see below):

- users by role: ``planner`` (scoped to region ``north`` and category ``drinks``),
  ``admin``, ``executive``; the same three under ``users`` as a dict role → user.
- master data: ``north``/``south`` (regions), ``drinks``/``snacks`` (categories),
  ``warehouse_in``/``warehouse_out``, ``store_in``/``store_out``, ``sku_in``/``sku_out``.
  ``*_in`` is inside the planner's scope, ``*_out`` outside it.
- facts: ``sales_in``/``sales_out`` (one SalesFact each, of 14 daily facts per series),
  ``inventory_in``/``inventory_out``, ``supply_order_in``/``supply_order_out``.
- ``job_runs``: a finished JobRun per role, keyed by role (also ``job_planner``,
  ``job_admin``, ``job_executive``).
- ``audit_entry``: one audit entry written by the admin.

To extend it, a ``tests/<app>/url_rules.py`` module defines ``extend_world(world) -> None``
that adds the keys its rules' ``kwargs`` lambdas read (e.g. an import batch or a forecast
run). The fixture calls every such hook after building the base world, in module-name order.
"""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings

from accounts.models import Role
from audit.services import audit_record
from history.models import InventorySnapshot, SalesFact, SupplyOrder
from jobs.models import JobRun, JobStatus
from tests.factories import (
    CategoryFactory,
    PlanningScopeFactory,
    RegionFactory,
    SalesFactFactory,
    SKUFactory,
    StoreFactory,
    UserFactory,
    WarehouseFactory,
)

TESTS_DIR = Path(__file__).resolve().parent
# Tables a refused request may still write: the audit log (refusals are recorded) and the
# session and log-in bookkeeping of Django and axes, which are not project apps.
UNWATCHED_APPS = {"audit"}
WATCHED_THIRD_PARTY = {"auth", "authtoken"}
FIRST_SALES_DAY = dt.date(2025, 1, 6)


def url_rule_modules() -> list[ModuleType]:
    """Every ``tests/<app>/url_rules.py`` module, sorted by app name."""
    return [
        importlib.import_module(f"tests.{path.parent.name}.url_rules")
        for path in sorted(TESTS_DIR.glob("*/url_rules.py"))
    ]


def _sales(store, sku) -> list[SalesFact]:
    """Two weeks of daily sales of one series, in one insert."""
    return SalesFact.objects.bulk_create(
        SalesFactFactory.build(store=store, sku=sku, date=FIRST_SALES_DAY + dt.timedelta(days=n))
        for n in range(14)
    )


def build_matrix_world() -> dict[str, Any]:
    north, south = (
        RegionFactory(code="NORTH", name="North"),
        RegionFactory(code="SOUTH", name="South"),
    )
    drinks = CategoryFactory(code="DRINKS", name="Drinks")
    snacks = CategoryFactory(code="SNACKS", name="Snacks")
    warehouse_in = WarehouseFactory(code="WN", region=north)
    warehouse_out = WarehouseFactory(code="WS", region=south)
    store_in = StoreFactory(code="N1", region=north, warehouse=warehouse_in)
    store_out = StoreFactory(code="S1", region=south, warehouse=warehouse_out)
    sku_in = SKUFactory(code="COLA", category=drinks)
    sku_out = SKUFactory(code="CHIPS", category=snacks)

    scope = PlanningScopeFactory(user=UserFactory(username="matrix-planner", role=Role.PLANNER))
    scope.regions.add(north)
    scope.categories.add(drinks)
    users = {
        Role.PLANNER.value: scope.user,
        Role.ADMIN.value: UserFactory(username="matrix-admin", role=Role.ADMIN),
        Role.EXECUTIVE.value: UserFactory(username="matrix-executive", role=Role.EXECUTIVE),
    }
    world: dict[str, Any] = {
        **users,
        "users": users,
        "north": north,
        "south": south,
        "drinks": drinks,
        "snacks": snacks,
        "warehouse_in": warehouse_in,
        "warehouse_out": warehouse_out,
        "store_in": store_in,
        "store_out": store_out,
        "sku_in": sku_in,
        "sku_out": sku_out,
        "sales_in": _sales(store_in, sku_in)[0],
        "sales_out": _sales(store_out, sku_out)[0],
        "inventory_in": InventorySnapshot.objects.create(
            store=store_in, sku=sku_in, date=FIRST_SALES_DAY, on_hand=40
        ),
        "inventory_out": InventorySnapshot.objects.create(
            warehouse=warehouse_out, sku=sku_out, date=FIRST_SALES_DAY, on_hand=900
        ),
        "supply_order_in": SupplyOrder.objects.create(
            order_ref="PO-IN",
            store=store_in,
            sku=sku_in,
            ordered_on=FIRST_SALES_DAY,
            promised_on=FIRST_SALES_DAY + dt.timedelta(days=7),
            quantity_ordered=120,
        ),
        "supply_order_out": SupplyOrder.objects.create(
            order_ref="PO-OUT",
            warehouse=warehouse_out,
            sku=sku_out,
            ordered_on=FIRST_SALES_DAY,
            promised_on=FIRST_SALES_DAY + dt.timedelta(days=7),
            quantity_ordered=500,
        ),
    }
    world["job_runs"] = {
        role: JobRun.objects.create(
            kind="matrix", created_by=user, status=JobStatus.SUCCEEDED, progress=100
        )
        for role, user in users.items()
    }
    for role, job in world["job_runs"].items():
        world[f"job_{role}"] = job
    world["audit_entry"] = audit_record(
        user=users[Role.ADMIN.value],
        action="update",
        obj_type="store",
        obj_id=store_in.pk,
        obj_repr=str(store_in),
        before={"name": "old"},
        after={"name": store_in.name},
    )
    for module in url_rule_modules():
        extend = getattr(module, "extend_world", None)
        if extend is not None:
            extend(world)
    return world


@pytest.fixture
def matrix_world(db) -> dict[str, Any]:
    return build_matrix_world()


def _watched_models() -> list[type]:
    project = Path(settings.BASE_DIR)
    found = []
    for config in apps.get_app_configs():
        ours = Path(config.path).is_relative_to(project) and ".venv" not in Path(config.path).parts
        if (ours and config.label not in UNWATCHED_APPS) or config.label in WATCHED_THIRD_PARTY:
            found.extend(config.get_models(include_auto_created=True))
    return found


def database_fingerprint() -> dict[str, list[dict[str, Any]]]:
    """Every row of every project table (and users, groups, tokens), to prove that a refused
    write wrote nothing. The matrix world is small, so this is a few dozen quick queries."""
    fingerprint = {}
    for model in _watched_models():
        rows = list(model._base_manager.order_by("pk").values())
        for row in rows:
            row.pop("last_login", None)  # set by the test's own log-in
        fingerprint[model._meta.label] = rows
    return fingerprint
