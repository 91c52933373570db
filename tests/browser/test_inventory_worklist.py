"""A planner edits a recommended quantity inline (HTMX) and accepts another; a scoped
planner sees no recommendation outside their scope."""

import pytest

from accounts.models import Role
from inventory.models import Recommendation
from tests.factories import (
    CategoryFactory,
    PlanningScopeFactory,
    RegionFactory,
    SKUFactory,
    StoreFactory,
    UserFactory,
)
from tests.inventory.recommendation_factories import InventoryPlanRunFactory, RecommendationFactory


@pytest.fixture
def worklist(db):
    north, south = (
        RegionFactory(code="NORTH", name="North"),
        RegionFactory(code="SOUTH", name="South"),
    )
    drinks = CategoryFactory(code="DRINKS", name="Drinks")
    snacks = CategoryFactory(code="SNACKS", name="Snacks")
    cola = SKUFactory(
        code="COLA-33", name="Cola can 33 cl", category=drinks, case_pack=24, min_order_qty=24
    )
    chips = SKUFactory(
        code="CHIPS-200", name="Crisps 200 g", category=snacks, case_pack=12, min_order_qty=12
    )
    north_store = StoreFactory(code="N1", name="Northgate", region=north)
    south_store = StoreFactory(code="S1", name="Southport", region=south)
    run = InventoryPlanRunFactory()
    rows = {
        "cola": RecommendationFactory(run=run, store=north_store, sku=cola, quantity=48, cost=72),
        "chips": RecommendationFactory(run=run, store=north_store, sku=chips, quantity=36, cost=54),
        "south": RecommendationFactory(run=run, store=south_store, sku=cola, quantity=96, cost=144),
    }
    UserFactory(username="planner-all", role=Role.PLANNER)
    scope = PlanningScopeFactory(user=UserFactory(username="planner-north", role=Role.PLANNER))
    scope.regions.add(north)
    scope.categories.add(drinks)
    return rows


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_planner_edits_a_quantity_and_accepts_another(
    live_server, page, log_in, browser_errors, worklist
):
    log_in("planner-all")
    page.locator("nav.mainnav a", has_text="Replenishment").click()
    page.wait_for_url("**/inventory/")
    cola = page.locator(f"#decision-{worklist['cola'].pk}")
    assert "Proposed" in cola.inner_text()
    cola.get_by_label("Quantity for COLA-33 in units").fill("50")
    cola.get_by_role("button", name="Save").click()
    # HTMX swaps the cell: rounded up to whole cases of 24.
    page.wait_for_selector(f"#decision-{worklist['cola'].pk} .rec-edited")
    cell = page.locator(f"#decision-{worklist['cola'].pk}")
    assert "72 units" in cell.inner_text() and "3 whole cases of 24" in cell.inner_text()

    chips = page.locator(f"#decision-{worklist['chips'].pk}")
    chips.get_by_role("button", name="Accept").click()
    page.wait_for_selector(f"#decision-{worklist['chips'].pk} .rec-accepted")

    assert Recommendation.objects.get(pk=worklist["cola"].pk).final_quantity == 72
    assert Recommendation.objects.get(pk=worklist["chips"].pk).status == "accepted"
    assert "/inventory/" in page.url  # no reload: the decisions were swapped in place
    assert not browser_errors, browser_errors


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_scoped_planner_sees_nothing_outside_their_scope(
    live_server, page, log_in, browser_errors, worklist
):
    log_in("planner-north")
    page.goto(f"{live_server.url}/inventory/")
    table = page.locator("section.list-table tbody").inner_text()
    assert "COLA-33" in table and "Northgate" in table
    assert "Southport" not in table and "CHIPS-200" not in table
    assert "1 row matches" in page.locator(".list-count").inner_text()
    assert not browser_errors, browser_errors
    response = page.goto(
        f"{live_server.url}/inventory/policy/{worklist['south'].store_id}/{worklist['south'].sku_id}/"
    )
    assert response.status == 404
