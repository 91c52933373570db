"""Scoping selectors: a scoped planner sees only their regions and category subtrees."""

from accounts.scoping import visible_categories, visible_skus, visible_stores
from history.models import SalesFact
from tests.factories import CategoryFactory, SalesFactFactory, SKUFactory, UserFactory


def test_scoped_planner_sees_only_scope(scoped_world):
    planner = scoped_world["scoped_planner"]
    assert list(visible_stores(planner)) == [scoped_world["store_in"]]
    assert list(visible_skus(planner)) == [scoped_world["sku_in"]]


def test_category_scope_grants_subtree(scoped_world):
    child = CategoryFactory(code="DRINKS-SODA", parent=scoped_world["drinks"])
    soda = SKUFactory(code="SODA", category=child)
    planner = scoped_world["scoped_planner"]
    assert child in visible_categories(planner)
    assert soda in visible_skus(planner)


def test_admin_and_executive_see_everything(scoped_world, admin_user, executive):
    for user in (admin_user, executive):
        assert visible_stores(user).count() == 2
        assert visible_skus(user).count() == 2


def test_user_without_role_sees_nothing(scoped_world):
    nobody = UserFactory(username="nobody")
    assert not visible_stores(nobody).exists()
    assert not visible_skus(nobody).exists()


def test_fact_scope_filters_sales(scoped_world):
    from accounts.scoping import fact_scope_q

    SalesFactFactory(store=scoped_world["store_in"], sku=scoped_world["sku_in"])
    SalesFactFactory(store=scoped_world["store_out"], sku=scoped_world["sku_in"])
    SalesFactFactory(store=scoped_world["store_in"], sku=scoped_world["sku_out"])
    planner = scoped_world["scoped_planner"]
    assert SalesFact.objects.filter(fact_scope_q(planner)).count() == 1
