"""A planner finds a SKU on the SKU list by typing part of its name, then opens its page."""

import pytest

from tests.factories import CategoryFactory, SKUFactory, UserFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_planner_finds_a_sku_by_part_of_its_name(live_server, page, log_in, browser_errors):
    drinks = CategoryFactory(code="DRINKS", name="Drinks")
    SKUFactory(code="OJ-1L", name="Orange Juice 1 l", category=drinks)
    SKUFactory(code="AJ-1L", name="Apple Juice 1 l", category=drinks)
    SKUFactory(code="COLA-33", name="Cola can 33 cl", category=drinks)
    UserFactory(username="planner-user", role="planner")
    log_in("planner-user")

    page.locator("nav.mainnav a", has_text="SKUs").click()
    page.get_by_label("SKU").fill("orange jui")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/data/skus/?*q=orange+jui*")

    rows = page.locator("section.list-table tbody tr")
    assert rows.count() == 1
    assert rows.first.inner_text().split("\t")[:2] == ["OJ-1L", "Orange Juice 1 l"]
    assert "1 row matches" in page.locator(".list-count").inner_text()

    rows.first.get_by_role("link", name="OJ-1L").click()
    page.wait_for_url("**/data/skus/*/")
    assert "OJ-1L" in page.locator("main h1").inner_text()

    page.go_back()
    page.get_by_label("SKU").fill("mango")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**q=mango*")
    assert page.locator("section.list-table tbody").inner_text().strip() == (
        "No SKU matches “mango”."
    )
    assert not browser_errors, browser_errors
