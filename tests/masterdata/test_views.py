"""Data overview, store/SKU pages, the chart JSON and audited admin edits."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEntry
from masterdata.forms import SKUForm, StoreForm
from masterdata.models import SKU
from tests.factories import SalesFactFactory, SKUFactory, StoreFactory, UserFactory


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


# Finding 4: codes with "/" (from older imports) must not break pages or hide objects.


@pytest.mark.parametrize("role", ["planner", "admin_user", "executive"])
def test_a_code_with_a_slash_breaks_no_page(client, scoped_world, role, request):
    store = StoreFactory(code="SEC/SLASH", region=scoped_world["north"])
    sku = SKUFactory(code="A/B", category=scoped_world["drinks"])
    SalesFactFactory(store=store, sku=sku, date=dt.date(2025, 1, 6))
    client.force_login(request.getfixturevalue(role))
    overview = client.get(reverse("masterdata:overview"))
    assert overview.status_code == 200
    assert reverse("masterdata:store", args=[store.pk]) in overview.content.decode()
    store_page = client.get(reverse("masterdata:store", args=[store.pk]))
    assert store_page.status_code == 200 and "SEC/SLASH" in store_page.content.decode()
    assert reverse("masterdata:sku", args=[sku.pk]) in store_page.content.decode()
    assert client.get(reverse("masterdata:sku", args=[sku.pk])).status_code == 200
    chart = client.get(reverse("masterdata:weekly_sales"), {"store": "SEC/SLASH", "sku": "A/B"})
    assert chart.status_code == 200


def test_admin_edits_a_store_whose_code_has_a_slash(client, scoped_world, admin_user):
    store = StoreFactory(code="SEC/SLASH", region=scoped_world["north"])
    client.force_login(admin_user)
    url = reverse("masterdata:store_edit", args=[store.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _store_post(store, name="Slashed"))
    assert response.status_code == 302
    store.refresh_from_db()
    assert store.name == "Slashed"


# Finding 5: two sessions edit the same row; the stale save is refused, the newer values shown.


def _store_post(store, **changes) -> dict:
    form = StoreForm(instance=store)
    data = {name: form[name].value() for name in form.fields}
    return {k: "" if v is None else v for k, v in {**data, **changes}.items()}


def _sku_post(sku, **changes) -> dict:
    form = SKUForm(instance=sku)
    data = {name: form[name].value() for name in form.fields}
    data = {k: "" if v is None else v for k, v in {**data, **changes}.items()}
    return {k: v for k, v in data.items() if v is not False}


def _two_admins(admin_user):
    first, second = Client(), Client()
    first.force_login(admin_user)
    second.force_login(UserFactory(username="admin2", role=Role.ADMIN))
    return first, second


def test_a_stale_store_edit_is_refused_and_shows_the_newer_values(scoped_world, admin_user):
    store = StoreFactory(code="ST004", region=scoped_world["north"], name="Old name")
    first, second = _two_admins(admin_user)
    url = reverse("masterdata:store_edit", args=[store.pk])
    shown_first = first.get(url).context["form"]
    shown_second = second.get(url).context["form"]
    first_post = {**_store_post(store, name="First"), "version": shown_first.initial["version"]}
    second_post = {**_store_post(store, name="Second"), "version": shown_second.initial["version"]}

    assert first.post(url, first_post).status_code == 302
    refused = second.post(url, second_post)

    assert refused.status_code == 409
    store.refresh_from_db()
    assert store.name == "First"
    page = refused.content.decode()
    assert "someone else saved this store" in page
    assert 'value="First"' in page  # the form now holds the stored values...
    assert "Second" in page  # ...next to what the second admin typed
    assert refused.context["form"].initial["version"] != second_post["version"]
    assert AuditEntry.objects.filter(object_type="store").count() == 1
    # Re-applied on the fresh form, the second save goes through.
    retry = {**second_post, "version": refused.context["form"].initial["version"]}
    assert second.post(url, retry).status_code == 302
    store.refresh_from_db()
    assert store.name == "Second"


def test_a_stale_sku_price_is_refused(scoped_world, admin_user):
    sku = scoped_world["sku_in"]
    first, second = _two_admins(admin_user)
    url = reverse("masterdata:sku_edit", args=[sku.pk])
    version = first.get(url).context["form"].initial["version"]
    assert second.get(url).context["form"].initial["version"] == version
    assert (
        first.post(url, {**_sku_post(sku, unit_price="3.10"), "version": version}).status_code
        == 302
    )
    refused = second.post(url, {**_sku_post(sku, unit_price="2.90"), "version": version})
    assert refused.status_code == 409
    sku.refresh_from_db()
    assert sku.unit_price == Decimal("3.10")
    assert [row["yours"] for row in refused.context["stale"]] == [Decimal("2.90")]


def test_an_import_between_showing_and_saving_makes_the_form_stale(scoped_world, admin_user):
    sku = scoped_world["sku_in"]
    client = Client()
    client.force_login(admin_user)
    url = reverse("masterdata:sku_edit", args=[sku.pk])
    version = client.get(url).context["form"].initial["version"]
    SKU.objects.filter(pk=sku.pk).update(name="Renamed by an import")
    response = client.post(url, {**_sku_post(sku, unit_price="4"), "version": version})
    assert response.status_code == 409
    sku.refresh_from_db()
    assert sku.name == "Renamed by an import" and sku.unit_price != Decimal("4")


def test_an_edit_without_a_version_is_refused(scoped_world, admin_user, client):
    store = scoped_world["store_in"]
    client.force_login(admin_user)
    data = _store_post(store, name="Blind")
    del data["version"]
    response = client.post(reverse("masterdata:store_edit", args=[store.pk]), data)
    assert response.status_code == 200
    assert "reload the page" in response.content.decode()
    store.refresh_from_db()
    assert store.name != "Blind"
