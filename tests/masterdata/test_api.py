"""The read API: token auth, scoping (404 outside scope), filters, pagination, no writes."""

import datetime as dt

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from masterdata.models import Store
from tests.factories import SalesFactFactory, SKUFactory, StoreFactory


@pytest.fixture
def api(db):
    def client_for(user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        return client

    return client_for


@pytest.fixture
def sales(scoped_world):
    rows = []
    for store in (scoped_world["store_in"], scoped_world["store_out"]):
        for sku in (scoped_world["sku_in"], scoped_world["sku_out"]):
            for day in range(3):
                rows.append(SalesFactFactory(store=store, sku=sku, date=dt.date(2025, 1, 6 + day)))
    return rows


def test_scoped_token_sees_only_scope(api, scoped_world, sales):
    client = api(scoped_world["scoped_planner"])
    assert [s["code"] for s in client.get("/api/v1/stores/").json()["results"]] == ["N1"]
    assert [s["code"] for s in client.get("/api/v1/skus/").json()["results"]] == ["COLA"]
    facts = client.get("/api/v1/sales/").json()
    assert facts["count"] == 3
    assert {(f["store"], f["sku"]) for f in facts["results"]} == {("N1", "COLA")}
    assert client.get("/api/v1/stores/S1/").status_code == 404
    outside = next(f for f in sales if f.store.code == "S1")
    assert client.get(f"/api/v1/sales/{outside.pk}/").status_code == 404


def test_sales_filters_and_pagination(api, executive, sales):
    client = api(executive)
    body = client.get(
        "/api/v1/sales/", {"store": "N1", "sku": "CHIPS", "date_from": "2025-01-07", "limit": 1}
    ).json()
    assert body["count"] == 2
    assert len(body["results"]) == 1 and body["next"]
    assert body["results"][0]["date"] == "2025-01-07"


def test_bad_filter_is_a_clear_400(api, executive):
    response = api(executive).get("/api/v1/sales/", {"date_from": "yesterday"})
    assert response.status_code == 400
    assert "date_from" in response.json()


def test_read_api_refuses_writes(api, admin_user, scoped_world):
    client = api(admin_user)
    response = client.post("/api/v1/stores/", {"code": "X", "name": "X"}, format="json")
    assert response.status_code in (403, 405)
    response = client.delete("/api/v1/stores/N1/")
    assert response.status_code in (403, 405)
    assert Store.objects.filter(code__in=["X", "N1"]).count() == 1


def test_anonymous_gets_401(db):
    assert APIClient().get("/api/v1/stores/").status_code == 401


def test_schema_documents_the_read_api(client, db):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = response.content.decode()
    assert "/api/v1/sales/" in schema and "date_from" in schema


def test_a_code_with_a_slash_is_reachable_by_the_api(api, scoped_world, admin_user):
    StoreFactory(code="SEC/SLASH", region=scoped_world["north"])
    SKUFactory(code="A/B", category=scoped_world["drinks"])
    client = api(admin_user)
    assert client.get("/api/v1/stores/SEC/SLASH/").json()["code"] == "SEC/SLASH"
    assert client.get("/api/v1/skus/A/B/").json()["code"] == "A/B"
    planner = api(scoped_world["scoped_planner"])
    assert planner.get("/api/v1/stores/SEC/SLASH/").status_code == 200
    StoreFactory(code="OUT/SIDE", region=scoped_world["south"])
    assert planner.get("/api/v1/stores/OUT/SIDE/").status_code == 404
