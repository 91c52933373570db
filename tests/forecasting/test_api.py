"""The forecast read API: scoping (404 outside scope), filters, the latest origin, no writes."""

import datetime as dt

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from forecasting.models import Forecast, SeriesModel
from tests.forecasting.factories import (
    ORIGIN,
    ForecastFactory,
    ForecastRunFactory,
    SeriesModelFactory,
)


@pytest.fixture
def api(db):
    def client_for(user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        return client

    return client_for


@pytest.fixture
def stored(scoped_world):
    """Two origins of daily forecasts (two days each) and a selection for every series."""
    older = ForecastRunFactory(origin=ORIGIN - dt.timedelta(days=7))
    latest = ForecastRunFactory(origin=ORIGIN)
    for store in (scoped_world["store_in"], scoped_world["store_out"]):
        for sku in (scoped_world["sku_in"], scoped_world["sku_out"]):
            for run in (older, latest):
                for day in (1, 2):
                    ForecastFactory(
                        store=store,
                        sku=sku,
                        run=run,
                        origin=run.origin,
                        date=run.origin + dt.timedelta(days=day),
                    )
            SeriesModelFactory(store=store, sku=sku, run=latest)
    return latest


def test_scoped_token_sees_only_series_in_scope(api, scoped_world, stored):
    client = api(scoped_world["scoped_planner"])
    body = client.get("/api/v1/forecasts/").json()
    assert body["count"] == 2
    assert {(r["store"], r["sku"], r["origin"]) for r in body["results"]} == {
        ("N1", "COLA", ORIGIN.isoformat())
    }
    selections = client.get("/api/v1/forecast-selections/").json()["results"]
    assert [(s["store"], s["sku"], s["model"]) for s in selections] == [("N1", "COLA", "ets")]


def test_out_of_scope_rows_answer_404(api, scoped_world, stored):
    client = api(scoped_world["scoped_planner"])
    outside = Forecast.objects.filter(store__code="S1").first()
    assert client.get(f"/api/v1/forecasts/{outside.pk}/").status_code == 404
    selection = SeriesModel.objects.get(store__code="S1", sku__code="CHIPS")
    assert client.get(f"/api/v1/forecast-selections/{selection.pk}/").status_code == 404


def test_filters_and_older_origin(api, executive, stored):
    client = api(executive)
    body = client.get("/api/v1/forecasts/", {"store": "S1", "sku": "CHIPS"}).json()
    assert body["count"] == 2 and {r["store"] for r in body["results"]} == {"S1"}
    older = (ORIGIN - dt.timedelta(days=7)).isoformat()
    body = client.get("/api/v1/forecasts/", {"origin": older}).json()
    assert body["count"] == 8 and {r["origin"] for r in body["results"]} == {older}
    assert client.get("/api/v1/forecasts/", {"granularity": "W"}).json()["count"] == 0


def test_bad_filter_answers_400_with_the_reason(api, executive, stored):
    response = api(executive).get("/api/v1/forecasts/", {"origin": "yesterday"})
    assert response.status_code == 400
    assert "origin" in response.json()


def test_the_api_is_read_only(api, admin_user, stored):
    response = api(admin_user).post("/api/v1/forecasts/", {}, format="json")
    assert response.status_code in (403, 405)
