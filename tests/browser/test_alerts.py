"""Must show: an operator opens an alert, confirms it, and the dashboard's verdict precision
changes; a scoped planner sees no alert outside their scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Role
from anomalies.models import AlertStatus
from tests.factories import (
    AlertFactory,
    CategoryFactory,
    PlanningScopeFactory,
    RegionFactory,
    SalesFactFactory,
    SKUFactory,
    StoreFactory,
    UserFactory,
)


def _world():
    north, south = RegionFactory(code="NORTH", name="North"), RegionFactory(code="SOUTH")
    drinks, snacks = CategoryFactory(code="DRINKS"), CategoryFactory(code="SNACKS")
    store_in = StoreFactory(code="N1", name="Leeds High St", region=north)
    store_out = StoreFactory(code="S1", name="Bristol Quay", region=south)
    sku_in = SKUFactory(code="COLA", name="Cola 33 cl", category=drinks)
    sku_out = SKUFactory(code="CHIPS", name="Salted chips", category=snacks)
    admin = UserFactory(username="operator", role=Role.ADMIN)
    AlertFactory(
        store=store_in,
        sku=sku_in,
        status=AlertStatus.DISMISSED,
        dismiss_reason="expected",
        closed_at=timezone.now(),
        closed_by=admin,
        summary="An earlier false alarm.",
    )
    spike = AlertFactory(store=store_in, sku=sku_in, summary="Cola sold 48 units against 10.")
    for day in range(-20, 10):
        date = spike.start_date + dt.timedelta(days=day)
        quantity = 48.0 if date in (spike.start_date, spike.end_date) else 10.0
        SalesFactFactory(store=store_in, sku=sku_in, date=date, quantity=quantity)
    AlertFactory(store=store_out, sku=sku_out, summary="Chips collapsed in Bristol.")
    scope = PlanningScopeFactory(user=UserFactory(username="north-planner", role=Role.PLANNER))
    scope.regions.add(north)
    scope.categories.add(drinks)
    return spike


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_operator_confirms_an_alert_and_the_precision_changes(
    live_server, page, log_in, browser_errors
):
    spike = _world()
    log_in("operator")
    page.goto(f"{live_server.url}/alerts/dashboard/")
    assert page.locator("[data-precision]").inner_text() == "0.0 %"

    page.locator("nav.mainnav a", has_text="Alerts").click()
    page.get_by_role("link", name="Cola sold 48 units against 10.").click()
    page.wait_for_url(f"**/alerts/{spike.pk}/")
    assert "Cola sold 48 units against 10." in page.locator(".what-happened").inner_text()
    page.wait_for_selector("#alert-chart .main-svg", state="attached")  # Plotly drew it

    page.get_by_role("button", name="Confirm: a real anomaly").click()
    saved = page.get_by_role("status").filter(has_text="Saved")
    saved.wait_for()
    assert "confirmed" in saved.inner_text()
    assert page.url.endswith(f"/alerts/{spike.pk}/")  # swapped in by htmx, no reload
    assert "status New → Confirmed" in page.locator(".history").inner_text()

    page.goto(f"{live_server.url}/alerts/dashboard/")
    assert page.locator("[data-precision]").inner_text() == "50.0 %"
    page.wait_for_selector("[data-dashboard-chart=precision] .main-svg", state="attached")
    assert not browser_errors, browser_errors


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_planner_sees_no_alert_outside_their_scope(live_server, page, log_in, browser_errors):
    _world()
    log_in("north-planner")
    page.goto(f"{live_server.url}/alerts/")
    table = page.locator("section.list-table tbody")
    assert "Cola sold 48 units against 10." in table.inner_text()
    assert "Bristol" not in page.content() and "CHIPS" not in page.content()

    page.get_by_label("Store").fill("S1")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**store=S1*")
    assert table.inner_text().strip() == "No alert matches “S1”."

    from anomalies.models import Alert

    foreign = Alert.objects.get(store__code="S1")
    response = page.goto(f"{live_server.url}/alerts/{foreign.pk}/")
    assert response.status == 404
    assert not [error for error in browser_errors if "404" not in error], browser_errors
