"""Data overview, store/SKU pages, the chart JSON and audited admin edits."""

import datetime as dt

from django.urls import reverse

from audit.models import AuditEntry
from masterdata.forms import SKUForm, StoreForm
from tests.factories import SalesFactFactory


def test_overview_lists_only_stores_in_scope(client, scoped_world):
    SalesFactFactory(
        store=scoped_world["store_in"], sku=scoped_world["sku_in"], date=dt.date(2025, 1, 6)
    )
    client.force_login(scoped_world["scoped_planner"])
    response = client.get(reverse("masterdata:overview"))
    assert [s.code for s in response.context["stores"]] == ["N1"]
    assert response.context["stores"][0].coverage["series"] == 1
    assert [r["category__code"] for r in response.context["sku_counts"]] == ["DRINKS"]
    page = response.content.decode()
    # Store codes are matched as whole cell/link texts: a bare "S1" can occur inside tokens.
    assert 'id="weekly-chart-data"' in page
    assert ">S1<" not in page and "Store S1" not in page


def test_weekly_sales_json_switches_grouping(client, scoped_world, executive):
    SalesFactFactory(
        store=scoped_world["store_in"], sku=scoped_world["sku_out"], date=dt.date(2025, 1, 6)
    )
    client.force_login(executive)
    data = client.get(
        reverse("masterdata:weekly_sales"), {"by": "category", "measure": "value"}
    ).json()
    assert (data["group_by"], data["measure"]) == ("category", "value")
    assert [s["name"] for s in data["series"]] == ["Category SNACKS"]


def test_weekly_sales_json_hides_out_of_scope_store(client, scoped_world):
    client.force_login(scoped_world["scoped_planner"])
    response = client.get(reverse("masterdata:weekly_sales"), {"store": "S1"})
    assert response.status_code == 404


def test_sku_page_lists_stores_selling_it(client, scoped_world, admin_user):
    SalesFactFactory(
        store=scoped_world["store_out"], sku=scoped_world["sku_in"], date=dt.date(2025, 1, 6)
    )
    client.force_login(admin_user)
    response = client.get(reverse("masterdata:sku", args=[scoped_world["sku_in"].pk]))
    assert [s.code for s in response.context["stores"]] == ["S1"]


def test_admin_edits_store_and_the_change_is_audited(client, scoped_world, admin_user):
    store = scoped_world["store_in"]
    client.force_login(admin_user)
    response = client.post(
        reverse("masterdata:store_edit", args=[store.pk]),
        {
            "name": "Northgate",
            "region": store.region_id,
            "store_format": "hyper",
            "floor_area_m2": "5200",
            "version": StoreForm(instance=store).initial["version"],
        },
    )
    assert response.status_code == 302
    store.refresh_from_db()
    assert (store.name, store.floor_area_m2) == ("Northgate", 5200)
    entry = AuditEntry.objects.get(object_type="store")
    assert entry.before["name"] == "Store N1" and entry.after["name"] == "Northgate"
    assert entry.before["floor_area_m2"] == 1800 and entry.after["floor_area_m2"] == 5200


def test_sku_edit_explains_a_discontinuation_before_launch(client, scoped_world, admin_user):
    sku = scoped_world["sku_in"]
    client.force_login(admin_user)
    response = client.post(
        reverse("masterdata:sku_edit", args=[sku.pk]),
        {
            "name": sku.name,
            "category": sku.category_id,
            "lead_time_days": "7",
            "min_order_qty": "1",
            "case_pack": "1",
            "version": SKUForm(instance=sku).initial["version"],
            "launched_on": "2025-03-01",
            "discontinued_on": "2025-02-01",
        },
    )
    assert "discontinuation date is before the launch date" in response.content.decode()


def test_sku_edit_rejects_a_negative_price(client, scoped_world, admin_user):
    sku = scoped_world["sku_in"]
    client.force_login(admin_user)
    response = client.post(
        reverse("masterdata:sku_edit", args=[sku.pk]),
        {
            "name": sku.name,
            "category": sku.category_id,
            "unit_price": "-1",
            "version": SKUForm(instance=sku).initial["version"],
            "lead_time_days": "7",
            "min_order_qty": "1",
            "case_pack": "1",
        },
    )
    assert response.status_code == 200
    assert "greater than or equal to 0" in response.content.decode()
    assert not AuditEntry.objects.exists()
