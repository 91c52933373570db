"""The executive's next month: the forecast summed per month when a run finishes, priced
with the SKUs' prices, against the same month a year earlier, by region and category."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.scoping import Scope
from dashboards.forecast_outlook import next_month_outlook
from dashboards.models import MonthlyForecast
from forecasting.models import Forecast, ForecastRun, Granularity
from forecasting.signals import forecast_finished
from masterdata.models import Company
from tests.factories import CategoryFactory, SalesFactFactory

ORIGIN = dt.date(2026, 6, 15)  # next month: July 2026, 16 to 46 days ahead


def _forecast(granularity: str, origin: dt.date, rows: list[tuple]) -> ForecastRun:
    """Store ``rows`` of (store, sku, date, forecast) as a finished run's forecasts."""
    run = ForecastRun.objects.create(
        granularity=granularity, horizon=56, windows=1, origin=origin, chunks_done=1
    )
    Forecast.objects.bulk_create(
        Forecast(
            store=store,
            sku=sku,
            granularity=granularity,
            origin=origin,
            date=date,
            forecast=value,
            p10=value,
            p50=value,
            p90=value,
            model="ets",
            run=run,
        )
        for store, sku, date, value in rows
    )
    forecast_finished.send(sender=ForecastRun, run=run)
    return run


def _daily(store, sku, per_day: float, days: int = 56) -> list[tuple]:
    return [(store, sku, ORIGIN + dt.timedelta(days=d), per_day) for d in range(1, days + 1)]


@pytest.fixture
def world(scoped_world):
    """Soft drinks under Beverages in the north (priced 2.50), snacks in the south (4.00), a
    daily forecast from 15 June 2026 and the sales of July 2025."""
    beverages = CategoryFactory(code="BEV", name="Beverages")
    drinks = scoped_world["drinks"]
    drinks.parent, drinks.name = beverages, "Soft drinks"
    drinks.save()
    north_cola, south_chips = scoped_world["store_in"], scoped_world["store_out"]
    cola, chips = scoped_world["sku_in"], scoped_world["sku_out"]
    chips.unit_price = 4
    chips.save()
    _forecast(
        Granularity.DAILY, ORIGIN, _daily(north_cola, cola, 10.0) + _daily(south_chips, chips, 2.0)
    )
    SalesFactFactory(
        store=north_cola, sku=cola, date=dt.date(2025, 7, 3), quantity=200, revenue=480
    )
    SalesFactFactory(
        store=north_cola, sku=cola, date=dt.date(2025, 6, 30), quantity=999, revenue=999
    )
    return scoped_world


def test_a_finished_run_is_summed_per_series_and_month(world):
    july = MonthlyForecast.objects.get(sku=world["sku_in"], month=dt.date(2026, 7, 1))
    assert (july.forecast, july.days, july.origin) == (310.0, 31, ORIGIN)
    june = MonthlyForecast.objects.get(sku=world["sku_in"], month=dt.date(2026, 6, 1))
    assert (june.forecast, june.days) == (150.0, 15)  # 16 to 30 June


def test_executive_home_shows_next_month_against_last_year_with_currency(client, executive, world):
    company = Company.current()
    company.currency = "USD"
    company.save()
    client.force_login(executive)
    response = client.get(reverse("home"))
    page = response.content.decode()
    outlook = response.context["outlook"]

    assert outlook["month"] == dt.date(2026, 7, 1)
    assert "Next month: July 2026 forecast against July 2025" in page
    # 31 days × 10 units × $2.50 + 31 days × 2 units × $4.00
    assert outlook["total"].value == pytest.approx(775 + 248)
    assert outlook["total"].units == pytest.approx(310 + 62)
    assert "$1,023" in page and "372 units" in page
    north = next(r for r in outlook["regions"] if r.name == "Region NORTH")
    assert (north.value, north.value_last_year) == (pytest.approx(775), 480)
    assert (north.units, north.units_last_year) == (pytest.approx(310), 200)
    assert north.units_change_pct == pytest.approx(55.0)
    assert "$775" in page and "$480" in page and "+55.0%" in page
    categories = {c.name: c for c in outlook["categories"]}
    assert [leaf.name for leaf in categories["Beverages"].children] == ["Soft drinks"]
    assert categories["Category SNACKS"].value == pytest.approx(248)
    assert "forecast units × each SKU's unit price, in USD" in page
    assert "daily forecast made from the actuals up to 15 Jun 2026" in page


def test_a_scoped_reader_sees_only_their_regions_and_categories(world):
    outlook = next_month_outlook(Scope.for_user(world["scoped_planner"]))["outlook"]
    assert [r.name for r in outlook["regions"]] == ["Region NORTH"]
    assert [(c.name, c.is_child) for c in outlook["categories"]] == [
        ("Beverages", False),
        ("Soft drinks", True),
    ]
    assert outlook["total"].value == pytest.approx(775)


def test_a_sku_without_a_price_counts_in_units_not_value(client, executive, world):
    world["sku_out"].unit_price = None
    world["sku_out"].save()
    client.force_login(executive)
    response = client.get(reverse("home"))
    assert response.context["outlook"]["total"].value == pytest.approx(775)
    assert response.context["outlook"]["total"].units == pytest.approx(372)
    assert "62 units of SKUs without a price count in the units but not in the value" in (
        response.content.decode()
    )


def test_weekly_forecasts_are_split_over_their_days(scoped_world):
    """A week ending Sunday 2 August 2026 has five days in July and two in August."""
    store, sku = scoped_world["store_in"], scoped_world["sku_in"]
    _forecast(
        Granularity.WEEKLY,
        dt.date(2026, 7, 26),
        [(store, sku, dt.date(2026, 8, 2), 70.0), (store, sku, dt.date(2026, 8, 9), 7.0)],
    )
    months = dict(
        MonthlyForecast.objects.filter(granularity=Granularity.WEEKLY).values_list(
            "month", "forecast"
        )
    )
    assert months == {dt.date(2026, 7, 1): pytest.approx(50.0), dt.date(2026, 8, 1): 27.0}


def test_the_weekly_forecast_stands_in_when_the_daily_one_stops_short(client, scoped_world):
    """From 1 June a 56-day daily forecast ends on 27 July: July comes from the weekly one."""
    store, sku = scoped_world["store_in"], scoped_world["sku_in"]
    origin = dt.date(2026, 6, 1)
    _forecast(
        Granularity.DAILY,
        origin,
        [(store, sku, origin + dt.timedelta(days=d), 1.0) for d in range(1, 57)],
    )
    weeks = [dt.date(2026, 5, 31) + dt.timedelta(weeks=w) for w in range(1, 14)]
    _forecast(Granularity.WEEKLY, dt.date(2026, 5, 31), [(store, sku, w, 14.0) for w in weeks])
    outlook = next_month_outlook(Scope.system())["outlook"]
    assert (outlook["granularity"], outlook["days"]) == ("weekly", 31)
    assert outlook["total"].units == pytest.approx(62.0)


def test_no_forecast_shows_no_outlook(client, executive, scoped_world):
    SalesFactFactory(store=scoped_world["store_in"], sku=scoped_world["sku_in"])
    client.force_login(executive)
    response = client.get(reverse("home"))
    assert response.context["outlook"] is None
    assert "Next month" not in response.content.decode()


def test_a_value_only_source_is_forecast_in_value_not_priced_again(client, executive, world):
    """Walmart-like sales carry values only: the forecast is already money."""
    from history.models import SalesFact

    SalesFact.objects.update(quantity=None)
    client.force_login(executive)
    response = client.get(reverse("home"))
    outlook = response.context["outlook"]
    assert outlook["value_only"]
    assert outlook["total"].value == pytest.approx(310 + 62)
    assert outlook["total"].units is None
    assert "the forecast is of sales value" in response.content.decode()
