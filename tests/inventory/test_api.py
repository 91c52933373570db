"""The recommendations API for the ERP: scoped (404 outside), filtered by status and order
date, approved rows with the quantity to order, bad filters answered 400, no writes."""

import datetime as dt

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.scoping import Scope
from inventory.services import recommendation_edit, recommendation_reject
from tests.inventory.recommendation_factories import PLAN_ORIGIN, RecommendationFactory

URL = "/api/v1/recommendations/"


@pytest.fixture
def api(db):
    def client_for(user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        return client

    return client_for


@pytest.fixture
def recs(scoped_world):
    store_in, sku_in = scoped_world["store_in"], scoped_world["sku_in"]
    rows = {
        "edited": RecommendationFactory(store=store_in, sku=sku_in),
        "rejected": RecommendationFactory(store=store_in, sku=sku_in),
        "later": RecommendationFactory(
            store=store_in,
            sku=sku_in,
            order_date=PLAN_ORIGIN + dt.timedelta(days=10),
            arrival_date=PLAN_ORIGIN + dt.timedelta(days=17),
        ),
        "out": RecommendationFactory(store=scoped_world["store_out"], sku=scoped_world["sku_out"]),
    }
    system = Scope.system()
    recommendation_edit(
        scope=system, actor=None, pk=rows["edited"].pk, version=1, quantity=sku_in.case_pack * 7
    )
    recommendation_reject(scope=system, actor=None, pk=rows["rejected"].pk, version=1)
    return rows


def test_approved_rows_carry_the_quantity_to_order(api, admin_user, recs):
    body = api(admin_user).get(URL, {"status": "approved"}).json()
    assert [row["id"] for row in body["results"]] == [recs["edited"].pk]
    row = body["results"][0]
    assert row["status"] == "edited"
    assert row["quantity_to_order"] == row["final_quantity"] == recs["edited"].sku.case_pack * 7
    assert row["store"] == recs["edited"].store.code and row["sku"] == recs["edited"].sku.code


def test_proposed_rows_have_nothing_to_order_yet(api, admin_user, recs):
    body = api(admin_user).get(URL, {"status": "proposed"}).json()
    assert {row["id"] for row in body["results"]} == {recs["later"].pk, recs["out"].pk}
    assert {row["quantity_to_order"] for row in body["results"]} == {None}


def test_filter_by_order_date(api, admin_user, recs):
    later = (PLAN_ORIGIN + dt.timedelta(days=5)).isoformat()
    body = api(admin_user).get(URL, {"order_from": later}).json()
    assert [row["id"] for row in body["results"]] == [recs["later"].pk]


def test_bad_filters_answer_400(api, admin_user, recs):
    client = api(admin_user)
    assert client.get(URL, {"status": "maybe"}).status_code == 400
    assert (
        client.get(URL, {"order_from": "2025-02-01", "order_to": "2025-01-01"}).status_code == 400
    )


def test_scoped_token_sees_only_its_scope(api, scoped_world, recs):
    client = api(scoped_world["scoped_planner"])
    ids = {row["id"] for row in client.get(URL).json()["results"]}
    assert recs["out"].pk not in ids and recs["edited"].pk in ids
    assert client.get(f"{URL}{recs['out'].pk}/").status_code == 404


def test_the_api_is_read_only(api, admin_user, recs):
    response = api(admin_user).patch(f"{URL}{recs['later'].pk}/", {"status": "accepted"})
    assert response.status_code in (403, 405)
    recs["later"].refresh_from_db()
    assert recs["later"].status == "proposed"
