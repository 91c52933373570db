"""The forecast table and the accuracy exceptions list: filters by store, SKU (code or name),
category and granularity, and downloads of exactly the filtered rows within the scope."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import SalesFactFactory
from tests.forecasting.factories import (
    ORIGIN,
    ForecastFactory,
    LeaderboardEntryFactory,
    SeriesModelFactory,
)
from tests.list_exports import downloaded, on_screen

FORMATS = ["csv", "xlsx"]
DAY = dt.timedelta(days=1)


@pytest.fixture
def forecasts(scoped_world):
    """Two days of forecasts for each of the four series, an older origin's forecast that
    the table must not show, and a sale with quantities (so forecasts are in units)."""
    world = scoped_world
    for store in (world["store_in"], world["store_out"]):
        for sku in (world["sku_in"], world["sku_out"]):
            for day in (1, 2):
                ForecastFactory(store=store, sku=sku, date=ORIGIN + day * DAY, forecast=10.0 * day)
    ForecastFactory(
        store=world["store_in"], sku=world["sku_in"], origin=ORIGIN - 7 * DAY, date=ORIGIN
    )
    ForecastFactory(
        store=world["store_in"], sku=world["sku_in"], granularity="W", date=ORIGIN + 7 * DAY
    )
    SalesFactFactory(store=world["store_in"], sku=world["sku_in"], date=ORIGIN)
    return world


def _series(rows) -> list[tuple[str, str, str]]:
    return [(row.store.code, row.sku.code, row.date.isoformat()) for row in rows]


@pytest.mark.parametrize("fmt", FORMATS)
def test_scoped_planner_downloads_exactly_the_forecasts_on_screen(client, forecasts, fmt):
    client.force_login(forecasts["scoped_planner"])
    url = reverse("forecasting:forecast_list")
    response = client.get(url)
    shown = _series(on_screen(response))
    assert shown == [("N1", "COLA", "2025-01-20"), ("N1", "COLA", "2025-01-21")]
    rows = downloaded(client, url, {}, fmt)
    header = rows[0]
    assert header[header.index("Forecast (units)") - 1] == "Date"
    columns = [header.index(name) for name in ("Store code", "SKU code", "Date")]
    assert [tuple(row[i][:10] for i in columns) for row in rows[1:]] == shown
    assert [float(row[header.index("Forecast (units)")]) for row in rows[1:]] == [10.0, 20.0]
    assert not {"S1", "CHIPS"} & {cell for row in rows for cell in row}


@pytest.mark.parametrize("fmt", FORMATS)
def test_forecasts_found_by_sku_name_and_store_download_as_shown(
    client, forecasts, admin_user, fmt
):
    client.force_login(admin_user)
    url = reverse("forecasting:forecast_list")
    query = {"sku": "item co", "store": "s1", "sort": "-date"}
    response = client.get(url, query)
    shown = _series(on_screen(response))
    assert shown == [("S1", "COLA", "2025-01-21"), ("S1", "COLA", "2025-01-20")]
    rows = downloaded(client, url, query, fmt)
    assert [(row[0], row[3], row[7][:10]) for row in rows[1:]] == shown
    page = response.content.decode()
    assert "20.0 units" in page and "Item COLA" in page
    assert reverse("masterdata:sku", args=[forecasts["sku_in"].pk]) in page


def test_forecasts_filter_by_category_and_weekly_granularity(client, forecasts, admin_user):
    client.force_login(admin_user)
    url = reverse("forecasting:forecast_list")
    snacks = client.get(url, {"category": "SNACKS"})
    assert {row.sku.code for row in on_screen(snacks)} == {"CHIPS"}
    weekly = client.get(url, {"granularity": "W"})
    assert _series(on_screen(weekly)) == [("N1", "COLA", "2025-01-26")]
    assert "Week to Sun 26 Jan 2025" in weekly.content.decode()
    assert downloaded(client, url, {"granularity": "W"}, "csv")[0][7] == "Week ending"


def test_no_forecast_match_names_the_search(client, forecasts):
    client.force_login(forecasts["scoped_planner"])
    response = client.get(reverse("forecasting:forecast_list"), {"sku": "CHIPS"})
    assert on_screen(response) == []
    assert "No forecast matches “CHIPS” with these filters." in response.content.decode()


@pytest.fixture
def exceptions(scoped_world):
    """Backtest errors of the selected model of four series (and of a model not selected)."""
    world = scoped_world
    errors = {
        ("store_in", "sku_in"): (0.20, -0.15),
        ("store_in", "sku_out"): (0.50, 0.05),
        ("store_out", "sku_in"): (0.35, 0.30),
        ("store_out", "sku_out"): (0.10, -0.02),
    }
    for (store, sku), (wape, bias) in errors.items():
        series = {"store": world[store], "sku": world[sku]}
        SeriesModelFactory(**series, model="ets")
        LeaderboardEntryFactory(**series, model="ets", wape=wape, bias=bias)
        LeaderboardEntryFactory(**series, model="naive", wape=0.9, bias=0.9)
    return world


def _pairs(rows) -> list[tuple[str, str]]:
    return [(row["store"].code, row["sku"].code) for row in rows]


@pytest.mark.parametrize("fmt", FORMATS)
def test_scoped_planner_downloads_exactly_the_exceptions_on_screen(client, exceptions, fmt):
    client.force_login(exceptions["scoped_planner"])
    url = reverse("forecasting:accuracy_exceptions")
    response = client.get(url)
    assert _pairs(on_screen(response)) == [("N1", "COLA")]
    rows = downloaded(client, url, {}, fmt)
    assert rows[0][:2] == ["Store code", "Store name"]
    assert [(row[0], row[2], row[5], float(row[6]), float(row[7])) for row in rows[1:]] == [
        ("N1", "COLA", "ets", 20.0, -15.0)
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_exceptions_ranked_by_error_or_bias_download_in_that_order(
    client, exceptions, admin_user, fmt
):
    client.force_login(admin_user)
    url = reverse("forecasting:accuracy_exceptions")
    by_error = client.get(url)
    assert _pairs(on_screen(by_error)) == [
        ("N1", "CHIPS"),
        ("S1", "COLA"),
        ("N1", "COLA"),
        ("S1", "CHIPS"),
    ]
    by_bias = client.get(url, {"rank": "bias"})
    shown = _pairs(on_screen(by_bias))
    assert shown == [("S1", "COLA"), ("N1", "COLA"), ("N1", "CHIPS"), ("S1", "CHIPS")]
    rows = downloaded(client, url, {"rank": "bias"}, fmt)
    assert [(row[0], row[2]) for row in rows[1:]] == shown
    assert "−15.0 %" in by_bias.content.decode()


def test_exceptions_filter_by_sku_name_and_region(client, exceptions, admin_user):
    client.force_login(admin_user)
    url = reverse("forecasting:accuracy_exceptions")
    response = client.get(url, {"sku": "item chi", "region": "SOUTH"})
    assert _pairs(on_screen(response)) == [("S1", "CHIPS")]
    nothing = client.get(url, {"store": "nowhere"})
    assert "No series matches “nowhere” with these filters." in nothing.content.decode()


def test_exceptions_without_figures_say_so(client, scoped_world, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("forecasting:accuracy_exceptions"), {"source": "live"})
    assert on_screen(response) == []
    page = response.content.decode()
    assert "No live accuracy figures for daily forecasts in your scope yet." in page
    assert "Download all" not in page


@pytest.mark.parametrize("fmt", FORMATS)
def test_live_exceptions_of_a_scoped_planner_download_as_shown(client, scoped_world, fmt):
    """Stored forecasts (10 and 20 units) against later sales of 5 units a day."""
    world = scoped_world
    for store in (world["store_in"], world["store_out"]):
        for sku in (world["sku_in"], world["sku_out"]):
            for day in (1, 2):
                ForecastFactory(store=store, sku=sku, date=ORIGIN + day * DAY, forecast=10.0 * day)
                SalesFactFactory(store=store, sku=sku, date=ORIGIN + day * DAY, quantity=5.0)
    client.force_login(world["scoped_planner"])
    url = reverse("forecasting:accuracy_exceptions")
    query = {"source": "live", "sku": "cola"}
    response = client.get(url, query)
    assert _pairs(on_screen(response)) == [("N1", "COLA")]
    assert "200.0 %" in response.content.decode()  # (|10 − 5| + |20 − 5|) / 10
    rows = downloaded(client, url, query, fmt)
    assert rows[0][-1] == "Actual sales (units)"
    assert [(row[0], row[2], float(row[6]), float(row[8])) for row in rows[1:]] == [
        ("N1", "COLA", 200.0, 10.0)
    ]


def test_a_refused_region_keeps_the_other_filters(client, scoped_world):
    client.force_login(scoped_world["scoped_planner"])
    url = reverse("forecasting:forecast_list")
    ForecastFactory(store=scoped_world["store_in"], sku=scoped_world["sku_in"])
    response = client.get(url, {"region": "SOUTH", "sku": "nothing-like-this"})
    assert "Select a valid choice" in response.content.decode()
    assert on_screen(response) == []
