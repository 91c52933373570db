"""Scope: one frozen value per actor, and ``visible_to`` on every scoped model's queryset."""

import dataclasses
import datetime as dt
from unittest import mock

import pytest
from django.apps import apps
from django.http import HttpResponse
from django.test import RequestFactory

from accounts.middleware import ScopeMiddleware
from accounts.models import Role
from accounts.scoping import (
    Scope,
)
from forecasting.models import AccuracyRecord, ModelPin
from history.models import CalendarEvent, InventorySnapshot, Promotion, SalesFact, SupplyOrder
from masterdata.models import SKU, Store, Warehouse
from tests.factories import (
    CategoryFactory,
    PlanningScopeFactory,
    SalesFactFactory,
    SKUFactory,
    UserFactory,
    WarehouseFactory,
)
from tests.forecasting.factories import ModelPinFactory

KEYED_BY = ("masterdata.Store", "masterdata.SKU")


def test_scoped_planner_sees_only_scope(scoped_world):
    scope = Scope.for_user(scoped_world["scoped_planner"])
    assert scope.is_scoped and scope.is_region_scoped
    assert list(Store.objects.visible_to(scope)) == [scoped_world["store_in"]]
    assert list(SKU.objects.visible_to(scope)) == [scoped_world["sku_in"]]


def test_category_scope_grants_subtree(scoped_world):
    child = CategoryFactory(code="DRINKS-SODA", parent=scoped_world["drinks"])
    soda = SKUFactory(code="SODA", category=child)
    scope = Scope.for_user(scoped_world["scoped_planner"])
    assert child.pk in scope.category_ids
    assert soda in SKU.objects.visible_to(scope)


def test_admin_and_executive_see_the_whole_company(scoped_world, admin_user, executive):
    for user in (admin_user, executive):
        scope = Scope.for_user(user)
        assert scope.is_company_wide and not scope.is_scoped
        assert Store.objects.visible_to(scope).count() == 2
        assert SKU.objects.visible_to(scope).count() == 2


def test_user_without_role_sees_nothing(scoped_world):
    scope = Scope.for_user(UserFactory(username="nobody"))
    assert scope == Scope.nothing() and scope.is_nothing and not scope.is_scoped
    assert not Store.objects.visible_to(scope).exists()
    assert not SalesFact.objects.visible_to(scope).exists()


def test_system_scope_is_the_whole_company_by_name(scoped_world):
    assert Scope.system().is_company_wide
    assert Store.objects.visible_to(Scope.system()).count() == 2


def test_no_scope_is_an_error_not_everything(scoped_world):
    with pytest.raises(TypeError):
        Store.objects.visible_to(None)
    with pytest.raises(TypeError):
        SalesFact.objects.visible_to(scoped_world["scoped_planner"])


def test_scope_is_a_frozen_value(scoped_world):
    scope = Scope.for_user(scoped_world["scoped_planner"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        scope.region_ids = None
    assert scope == Scope.for_user(scoped_world["scoped_planner"])
    assert hash(scope)


def test_warehouse_facts_follow_the_warehouse_region(scoped_world):
    """One rule for warehouses (their region), for the warehouses and for facts kept there."""
    inside = WarehouseFactory(code="WN", region=scoped_world["north"])
    outside = WarehouseFactory(code="WS", region=scoped_world["south"])
    sku = scoped_world["sku_in"]
    for warehouse in (inside, outside):
        InventorySnapshot.objects.create(
            warehouse=warehouse, sku=sku, date=dt.date(2025, 1, 6), on_hand=1
        )
        SupplyOrder.objects.create(
            order_ref=f"PO-{warehouse.code}",
            warehouse=warehouse,
            sku=sku,
            ordered_on=dt.date(2025, 1, 6),
            promised_on=dt.date(2025, 1, 8),
            quantity_ordered=1,
        )
    scope = Scope.for_user(scoped_world["scoped_planner"])
    assert list(Warehouse.objects.visible_to(scope)) == [inside]
    assert [s.warehouse for s in InventorySnapshot.objects.visible_to(scope)] == [inside]
    assert [o.warehouse for o in SupplyOrder.objects.visible_to(scope)] == [inside]


def test_request_scope_is_resolved_once_and_lazily(scoped_world):
    request = RequestFactory().get("/")
    request.user = scoped_world["scoped_planner"]
    seen = []

    def view(request):
        seen.extend([request.scope.region_ids, request.scope.category_ids])
        return HttpResponse()

    with mock.patch.object(Scope, "for_user", wraps=Scope.for_user) as resolve:
        ScopeMiddleware(lambda r: HttpResponse())(request)
        assert resolve.call_count == 0  # nobody asked
        ScopeMiddleware(view)(request)
    assert resolve.call_count == 1
    expected = Scope.for_user(scoped_world["scoped_planner"])
    assert seen == [expected.region_ids, expected.category_ids]


def _store_or_sku_keyed(model) -> bool:
    for field in model._meta.get_fields():
        if field.name in ("store", "sku") and field.concrete:
            return True
        related = getattr(field, "related_model", None)
        if field.concrete and related is not None and related._meta.label in KEYED_BY:
            return True
    return False


def test_every_store_or_sku_keyed_model_has_visible_to():
    """A new model keyed by a store or SKU must say who sees it (``visible_to``)."""
    keyed = [m for m in apps.get_models() if _store_or_sku_keyed(m)]
    assert len(keyed) >= 10  # facts, forecasts, pins... the check is looking at something
    missing = [
        m._meta.label
        for m in keyed
        if not hasattr(m._default_manager, "visible_to")
        or not hasattr(m._default_manager.all(), "visible_to")
    ]
    assert not missing, f"Models keyed by store or SKU without visible_to(scope): {missing}"


def test_fact_scope_filters_sales(scoped_world):
    SalesFactFactory(store=scoped_world["store_in"], sku=scoped_world["sku_in"])
    SalesFactFactory(store=scoped_world["store_out"], sku=scoped_world["sku_in"])
    SalesFactFactory(store=scoped_world["store_in"], sku=scoped_world["sku_out"])
    planner = scoped_world["scoped_planner"]
    assert SalesFact.objects.visible_to(Scope.for_user(planner)).count() == 1


def _subjects(scoped_world, admin_user, executive):
    region_only = PlanningScopeFactory(user=UserFactory(username="north-only", role=Role.PLANNER))
    region_only.regions.add(scoped_world["north"])
    category_only = PlanningScopeFactory(
        user=UserFactory(username="drinks-only", role=Role.PLANNER)
    )
    category_only.categories.add(scoped_world["drinks"])
    return [
        scoped_world["scoped_planner"],
        region_only.user,
        category_only.user,
        UserFactory(username="unscoped", role=Role.PLANNER),
        admin_user,
        executive,
        UserFactory(username="nobody"),
    ]


def test_pins_and_accuracy_records_visible_to_each_scope(scoped_world, admin_user, executive):
    """A region-scoped planner sees their series' pins (no category pin: it applies in
    every region) and only the accuracy members inside their scope (never the total)."""
    for side in ("in", "out"):
        ModelPinFactory(store=scoped_world[f"store_{side}"], sku=scoped_world[f"sku_{side}"])
    for category in ("drinks", "snacks"):
        ModelPinFactory(store=None, sku=None, category=scoped_world[category])
    keys = {
        "total": ["all"],
        "region": ["NORTH", "SOUTH"],
        "category": ["DRINKS", "SNACKS"],
        "region_category": ["NORTH|DRINKS", "NORTH|SNACKS", "SOUTH|DRINKS", "SOUTH|SNACKS"],
        "store": ["N1", "S1"],
        "series": ["N1|COLA"],
    }
    for level, members in keys.items():
        for key in members:
            AccuracyRecord.objects.create(
                granularity="D",
                evaluated_on=dt.date(2025, 1, 6),
                level=level,
                key=key,
                lead_bucket="1-7",
                actual_sum=1,
                forecast_sum=1,
                abs_error_sum=0,
                points=1,
            )
    pins = {(p.store.code if p.store else p.category.code) for p in ModelPin.objects.all()}
    everything = {level: set(members) for level, members in keys.items()}
    narrowed = {
        "total": set(),
        "region": {"NORTH"},
        "category": {"DRINKS"},
        "region_category": {"NORTH|DRINKS"},
        "store": {"N1"},
        "series": set(),
    }
    expected = {
        "scoped": ({"N1"}, narrowed),
        "admin": (pins, everything),
        "executive": (pins, everything),
        "north-only": (
            {"N1"},
            {
                **narrowed,
                "category": {"DRINKS", "SNACKS"},
                "region_category": {"NORTH|DRINKS", "NORTH|SNACKS"},
            },
        ),
        "drinks-only": (
            {"N1", "DRINKS"},
            {
                **narrowed,
                "region": {"NORTH", "SOUTH"},
                "region_category": {"NORTH|DRINKS", "SOUTH|DRINKS"},
                "store": {"N1", "S1"},
            },
        ),
        "unscoped": (pins, everything),
        "nobody": (set(), {level: set() for level in keys}),
    }
    for user in _subjects(scoped_world, admin_user, executive):
        scope = Scope.for_user(user)
        seen_pins = {
            p.store.code if p.store else p.category.code for p in ModelPin.objects.visible_to(scope)
        }
        want_pins, want_keys = expected[user.username]
        assert seen_pins == want_pins, user
        for level in keys:
            records = AccuracyRecord.objects.visible_to(scope).filter(
                source="live", granularity="D", level=level
            )
            assert set(records.values_list("key", flat=True)) == want_keys[level], (user, level)


def test_promotions_and_events_for_all_stores_are_visible_to_every_role(scoped_world):
    day = dt.date(2025, 1, 6)
    north, south = scoped_world["north"], scoped_world["south"]
    for code, store, sku in (
        ("ALL", None, None),
        ("IN", scoped_world["store_in"], scoped_world["sku_in"]),
        ("OUT-STORE", scoped_world["store_out"], None),
        ("OUT-SKU", None, scoped_world["sku_out"]),
    ):
        Promotion.objects.create(code=code, store=store, sku=sku, start_date=day, end_date=day)
    CalendarEvent.objects.create(date=day, name="Company")
    CalendarEvent.objects.create(date=day, name="North", region=north)
    CalendarEvent.objects.create(date=day, name="South", region=south)
    CalendarEvent.objects.create(date=day, name="S1 opening", store=scoped_world["store_out"])
    scope = Scope.for_user(scoped_world["scoped_planner"])
    assert {p.code for p in Promotion.objects.visible_to(scope)} == {"ALL", "IN"}
    assert {e.name for e in CalendarEvent.objects.visible_to(scope)} == {"Company", "North"}
    assert CalendarEvent.objects.visible_to(Scope.system()).count() == 4
    assert not CalendarEvent.objects.visible_to(Scope.nothing()).exists()


def test_a_planner_scoped_on_one_axis_sees_every_promotion_of_the_other(scoped_world):
    """A region-only scope must not hide SKU promotions (``Q(x) | Q()`` is ``Q(x)``)."""
    day = dt.date(2025, 1, 6)
    store_in, sku_out = scoped_world["store_in"], scoped_world["sku_out"]
    Promotion.objects.create(
        code="N1-CHIPS", store=store_in, sku=sku_out, start_date=day, end_date=day
    )
    Promotion.objects.create(code="ALL-CHIPS", sku=sku_out, start_date=day, end_date=day)
    region_only = Scope.of(region_ids={scoped_world["north"].pk})
    category_only = Scope.of(category_ids={scoped_world["snacks"].pk})
    assert {p.code for p in Promotion.objects.visible_to(region_only)} == {"N1-CHIPS", "ALL-CHIPS"}
    assert {p.code for p in Promotion.objects.visible_to(category_only)} == {
        "N1-CHIPS",
        "ALL-CHIPS",
    }
