"""Fixtures shared by the whole suite: one user per role and a small scoped world."""

import pytest
from django.core.cache import cache

from accounts.models import Role
from tests.factories import (
    CategoryFactory,
    PlanningScopeFactory,
    RegionFactory,
    SKUFactory,
    StoreFactory,
    UserFactory,
)

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Pages cache costly figures by row ids, which the next test's database reuses."""
    cache.clear()
    yield


@pytest.fixture
def planner(db):
    return UserFactory(username="planner", role=Role.PLANNER)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", role=Role.ADMIN)


@pytest.fixture
def executive(db):
    return UserFactory(username="executive", role=Role.EXECUTIVE)


@pytest.fixture
def scoped_world(db):
    """Two regions and two categories with one store and one SKU each, and a planner
    scoped to the north region and the drinks category."""
    north, south = RegionFactory(code="NORTH"), RegionFactory(code="SOUTH")
    drinks, snacks = CategoryFactory(code="DRINKS"), CategoryFactory(code="SNACKS")
    world = {
        "north": north,
        "south": south,
        "drinks": drinks,
        "snacks": snacks,
        "store_in": StoreFactory(code="N1", region=north),
        "store_out": StoreFactory(code="S1", region=south),
        "sku_in": SKUFactory(code="COLA", category=drinks),
        "sku_out": SKUFactory(code="CHIPS", category=snacks),
    }
    scope = PlanningScopeFactory(user=UserFactory(username="scoped", role=Role.PLANNER))
    scope.regions.add(north)
    scope.categories.add(drinks)
    world["scoped_planner"] = scope.user
    return world
