"""The forecast explorer in a real browser: the Plotly chart draws the forecast under the
page's Content Security Policy without a single console or page error, a SKU is found by
part of its name, and the forecast table downloads as a spreadsheet."""

import datetime as dt

import openpyxl
import pytest

from tests.factories import SalesFactFactory, SKUFactory, StoreFactory, UserFactory
from tests.forecasting.factories import ORIGIN, ForecastFactory, ForecastRunFactory

FORECAST_DAYS = 14


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_planner_sees_the_forecast_chart_without_errors(live_server, page, log_in, browser_errors):
    store, sku = StoreFactory(code="FC1"), SKUFactory(code="FCSKU")
    run = ForecastRunFactory()
    for day in range(1, FORECAST_DAYS + 1):
        ForecastFactory(
            store=store, sku=sku, run=run, date=ORIGIN + dt.timedelta(days=day), forecast=8 + day
        )
    for day in range(28):
        SalesFactFactory(store=store, sku=sku, date=ORIGIN - dt.timedelta(days=day))
    UserFactory(username="plan", role="planner")

    log_in("plan")
    response = page.goto(f"{live_server.url}/forecasts/")
    assert response.status == 200

    page.locator("#forecast-chart.js-plotly-plot").wait_for()
    page.locator("#forecast-chart .legendtext", has_text="Forecast").wait_for()
    drawn = page.evaluate(
        """() => Object.fromEntries(document.getElementById("forecast-chart").data
             .map((trace) => [trace.name, trace.x.length]))"""
    )
    assert drawn["Forecast"] == FORECAST_DAYS, drawn
    assert drawn["Actual"] > 0, drawn
    assert not browser_errors, browser_errors


@pytest.fixture
def cola_series(db):
    """Two weeks of daily forecast for store FC1 × SKU "Fizzy Cola Zero 330ml", and sales a
    year earlier for the last-year column."""
    store = StoreFactory(code="FC1", name="Harbour Street")
    sku = SKUFactory(code="FCSKU", name="Fizzy Cola Zero 330ml")
    SKUFactory(code="OTHER", name="Salted Crisps")
    run = ForecastRunFactory()
    for day in range(1, FORECAST_DAYS + 1):
        date = ORIGIN + dt.timedelta(days=day)
        ForecastFactory(store=store, sku=sku, run=run, date=date, forecast=8 + day)
        SalesFactFactory(
            store=store, sku=sku, date=date - dt.timedelta(days=364), quantity=float(day)
        )
    SalesFactFactory(store=store, sku=sku, date=ORIGIN)
    UserFactory(username="plan", role="planner")
    return store, sku


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_sku_is_found_by_part_of_its_name(live_server, page, log_in, browser_errors, cola_series):
    log_in("plan")
    page.goto(f"{live_server.url}/forecasts/")
    page.fill("#id_store", "harbour")
    page.fill("#id_sku", "cola zero")
    page.get_by_role("button", name="Show").click()
    page.locator("#explorer-result h2", has_text="SKU FCSKU · Fizzy Cola Zero 330ml").wait_for()
    assert "sku=cola%20zero" in page.url  # the address can be shared
    page.locator(".forecast-table tbody tr").first.wait_for()
    assert page.locator(".forecast-table tbody tr").count() == FORECAST_DAYS

    page.fill("#id_sku", "no such thing")
    page.get_by_role("button", name="Show").click()
    page.locator("#explorer-result", has_text="No SKU matches “no such thing”").wait_for()
    assert not browser_errors, browser_errors


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_explorer_table_downloads_as_xlsx(live_server, page, log_in, cola_series, tmp_path):
    log_in("plan")
    page.goto(f"{live_server.url}/forecasts/?store=FC1&sku=FCSKU")
    with page.expect_download() as download:
        page.get_by_role("link", name="XLSX").click()
    name = download.value.suggested_filename
    assert name == f"forecast-FC1-FCSKU-daily-{ORIGIN}.xlsx"
    download.value.save_as(tmp_path / name)
    sheet = openpyxl.load_workbook(tmp_path / name).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Date",
        "Forecast (units)",
        "Low (p10) (units)",
        "High (p90) (units)",
        "Last year (units)",
        "Actual (units)",
    )
    assert len(rows) == 1 + FORECAST_DAYS
    first = rows[1]
    assert first[0].date() == ORIGIN + dt.timedelta(days=1)
    assert first[1:5] == (9.0, 5.4, 12.6, 1.0) and first[5] is None
