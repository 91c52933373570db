"""The store and SKU list pages: search by code and name, filters, links to the member pages,
a clear no-match message, and downloads of exactly the filtered rows within the scope."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import CategoryFactory, SKUFactory, StoreFactory, UserFactory
from tests.list_exports import downloaded, on_screen

FORMATS = ["csv", "xlsx"]


@pytest.fixture
def stores(scoped_world):
    StoreFactory(code="N2", name="Harbour Market", region=scoped_world["north"])
    StoreFactory(code="S2", name="Harbour South", region=scoped_world["south"])
    return scoped_world


@pytest.mark.parametrize("fmt", FORMATS)
def test_scoped_planner_downloads_exactly_the_stores_on_screen(client, stores, fmt):
    client.force_login(stores["scoped_planner"])
    url = reverse("masterdata:store_list")
    response = client.get(url)
    shown = [store.code for store in on_screen(response)]
    assert shown == ["N1", "N2"]
    rows = downloaded(client, url, {}, fmt)
    assert rows[0][:2] == ["Store code", "Store name"]
    assert [row[0] for row in rows[1:]] == shown
    assert "S2" not in {row[0] for row in rows} and "Harbour South" not in str(rows)


@pytest.mark.parametrize("fmt", FORMATS)
def test_store_search_by_name_downloads_only_the_matches(client, stores, admin_user, fmt):
    client.force_login(admin_user)
    url = reverse("masterdata:store_list")
    response = client.get(url, {"q": "harbour", "sort": "-code"})
    shown = [store.code for store in on_screen(response)]
    assert shown == ["S2", "N2"]
    rows = downloaded(client, url, {"q": "harbour", "sort": "-code"}, fmt)
    assert [row[:2] for row in rows[1:]] == [["S2", "Harbour South"], ["N2", "Harbour Market"]]
    page = response.content.decode()
    assert f'href="{reverse("masterdata:store", args=[stores["store_in"].pk])}"' not in page
    assert (
        "Harbour Market" in page
        and reverse("masterdata:store", args=[on_screen(response)[1].pk]) in page
    )


def test_store_filters_by_region_and_code(client, stores, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("masterdata:store_list"), {"region": "SOUTH", "q": "s"})
    assert [store.code for store in on_screen(response)] == ["S1", "S2"]


def test_no_store_match_says_what_was_searched(client, stores):
    client.force_login(stores["scoped_planner"])
    response = client.get(reverse("masterdata:store_list"), {"q": "Harbour South"})
    assert on_screen(response) == []
    assert "No store matches “Harbour South”." in response.content.decode()


def test_out_of_scope_region_is_not_a_choice(client, stores):
    client.force_login(stores["scoped_planner"])
    response = client.get(reverse("masterdata:store_list"), {"region": "SOUTH"})
    assert "Select a valid choice" in response.content.decode()
    assert [store.code for store in on_screen(response)] == ["N1", "N2"]


def test_unknown_export_format_is_refused(client, stores, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("masterdata:store_list"), {"export": "pdf"})
    assert response.status_code == 400
    assert b"use csv or xlsx" in response.content


@pytest.fixture
def skus(scoped_world):
    world = scoped_world
    juices = CategoryFactory(code="JUICES", name="Juices", parent=world["drinks"])
    SKUFactory(code="OJ1", name="Orange Juice 1 l", category=juices, unit_price=Decimal("2.49"))
    SKUFactory(code="OJ2", name="Orange Soda", category=world["drinks"], is_active=False)
    SKUFactory(code="OC1", name="Orange Crisps", category=world["snacks"])
    return world


@pytest.mark.parametrize("fmt", FORMATS)
def test_scoped_planner_finds_skus_by_part_of_the_name_and_downloads_them(client, skus, fmt):
    client.force_login(skus["scoped_planner"])
    url = reverse("masterdata:sku_list")
    response = client.get(url, {"q": "orange"})
    shown = [sku.code for sku in on_screen(response)]
    assert shown == ["OJ1", "OJ2"]  # Orange Crisps is a snack, outside the scope
    rows = downloaded(client, url, {"q": "orange"}, fmt)
    assert rows[0][:6] == [
        "SKU code",
        "SKU name",
        "Category code",
        "Category",
        "Unit cost (EUR)",
        "Unit price (EUR)",
    ]
    assert [row[0] for row in rows[1:]] == shown
    assert rows[1][5] == "2.49"
    assert "€2.49" in response.content.decode()


def test_sku_filters_by_parent_category_and_status(client, skus, admin_user):
    client.force_login(admin_user)
    url = reverse("masterdata:sku_list")
    response = client.get(url, {"category": "DRINKS", "is_active": "true"})
    assert [sku.code for sku in on_screen(response)] == ["COLA", "OJ1"]
    response = client.get(url, {"is_active": "false"})
    assert [sku.code for sku in on_screen(response)] == ["OJ2"]


def test_sku_list_pages_through_many_skus(client, scoped_world, admin_user):
    for n in range(55):
        SKUFactory(code=f"BULK{n:03d}", category=scoped_world["drinks"])
    client.force_login(admin_user)
    url = reverse("masterdata:sku_list")
    second = client.get(url, {"q": "bulk", "page": 2})
    assert [sku.code for sku in on_screen(second)] == [f"BULK{n:03d}" for n in range(50, 55)]
    rows = downloaded(client, url, {"q": "bulk", "page": 2}, "csv")
    assert len(rows) == 1 + 55  # the download holds every matching row, as its button says
    assert "Download all 55 rows" in second.content.decode()


def test_executive_sees_the_sku_list(client, skus):
    client.force_login(UserFactory(role="executive"))
    response = client.get(reverse("masterdata:sku_list"))
    assert response.status_code == 200
    assert len(on_screen(response)) == 5
