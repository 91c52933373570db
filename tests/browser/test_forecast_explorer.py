"""The forecast explorer in a real browser: the Plotly chart draws the forecast under the
page's Content Security Policy without a single console or page error."""

import datetime as dt

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
