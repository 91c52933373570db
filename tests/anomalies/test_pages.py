"""The operators' pages: the inbox filters, counts what the policy held back and downloads
what it shows; the alert page explains the event and takes verdicts (HTMX or not), refusing
a stale one with the other operator's change; the dashboard's precision follows verdicts."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from anomalies.models import Alert, AlertNotification, AlertStatus
from audit.models import AuditEntry
from forecasting.models import Forecast
from history.models import CalendarEvent, InventorySnapshot, Promotion, SalesFact
from tests.factories import AlertFactory, PlanningScopeFactory, UserFactory
from tests.forecasting.factories import ForecastFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(scoped_world):
    world = scoped_world
    world["spike"] = AlertFactory(
        store=world["store_in"], sku=world["sku_in"], summary="Cola sold 48 against 10."
    )
    world["drop"] = AlertFactory(
        store=world["store_in"],
        sku=world["sku_in"],
        kind="demand_drop",
        severity=2,
        summary="Cola sold nothing for three days.",
    )
    world["held"] = AlertFactory(
        store=world["store_in"], sku=world["sku_in"], suppressed=True, summary="A small blip."
    )
    world["foreign"] = AlertFactory(
        store=world["store_out"], sku=world["sku_out"], summary="Chips in the south."
    )
    return world


def _rows(response) -> list[str]:
    return [str(alert.summary) for alert in response.context["table"].data]


def test_a_scoped_planner_sees_only_the_alerts_of_their_scope(client, world):
    client.force_login(world["scoped_planner"])
    response = client.get(reverse("anomalies:inbox"))
    assert response.status_code == 200
    assert sorted(_rows(response)) == [
        "Cola sold 48 against 10.",
        "Cola sold nothing for three days.",
    ]
    assert "Chips in the south." not in response.content.decode()
    foreign = client.get(reverse("anomalies:alert", args=[world["foreign"].pk]))
    assert foreign.status_code == 404


def test_the_inbox_counts_held_back_alerts_and_lists_them_on_request(client, world, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("anomalies:inbox")).content.decode()
    assert "<strong>1 more</strong> held back by the alert budget" in page
    held = client.get(reverse("anomalies:inbox"), {"held_back": "1"})
    assert _rows(held) == ["A small blip."]


def test_the_inbox_filters_by_kind_severity_and_status_and_says_no_match(client, world, admin_user):
    client.force_login(admin_user)
    url = reverse("anomalies:inbox")
    assert _rows(client.get(url, {"kind": "demand_drop"})) == ["Cola sold nothing for three days."]
    assert len(_rows(client.get(url, {"severity": "3"}))) == 2  # the spike and the foreign one
    verdict_url = reverse("anomalies:action", args=[world["spike"].pk])
    client.post(verdict_url, {"action": "confirm", "version": 1})
    assert "Cola sold 48 against 10." not in _rows(client.get(url, {"status": "open"}))
    assert _rows(client.get(url, {"status": "confirmed"})) == ["Cola sold 48 against 10."]
    empty = client.get(url, {"sku": "lemonade"})
    assert "No alert matches “lemonade”." in empty.content.decode()


def test_the_download_holds_the_filtered_alerts_with_names_and_currency(client, world, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("anomalies:inbox"), {"store": "N1", "export": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2
    assert rows[0]["Store or warehouse code"] == "N1"
    assert rows[0]["SKU name"] == world["sku_in"].name
    assert "Value at stake (EUR)" in rows[0]


def test_the_alert_page_explains_the_event_with_units_and_money(client, world, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("anomalies:alert", args=[world["spike"].pk])).content.decode()
    assert "Cola sold 48 against 10." in page
    assert "10.0 units" in page and "48.0 units" in page and "€95" in page
    assert "Residual vs forecast" in page and "4.20" in page
    assert "Promotion not recorded" in page and "60 %" in page


def test_the_chart_holds_sales_the_forecast_band_and_the_context(client, world, admin_user):
    alert = world["spike"]
    store, sku = alert.store, alert.sku
    for offset in range(-3, 3):
        SalesFact.objects.create(
            store=store, sku=sku, date=alert.start_date + dt.timedelta(days=offset), quantity=9
        )
    before = alert.start_date - dt.timedelta(days=5)
    ForecastFactory(store=store, sku=sku, origin=before, date=alert.start_date, forecast=10)
    ForecastFactory(  # made after the event began: not what was expected before it
        store=store, sku=sku, origin=alert.start_date, date=alert.end_date, forecast=99
    )
    Promotion.objects.create(
        code="P1", store=store, sku=sku, start_date=alert.start_date, end_date=alert.end_date
    )
    CalendarEvent.objects.create(date=alert.start_date, name="Fair", store=store)
    client.force_login(admin_user)
    chart = client.get(reverse("anomalies:alert", args=[alert.pk])).context["chart"]
    assert len(chart["actual"]["x"]) == 6
    assert chart["expected"]["y"] == [10] and "Forecast made on" in chart["expected"]["source"]
    assert Forecast.objects.count() == 2
    assert [p["start"] for p in chart["promotions"]] == [alert.start_date.isoformat()]
    assert [e["name"] for e in chart["events"]] == ["Fair"]
    assert chart["event"]["start"] == alert.start_date.isoformat()


def test_a_stock_alerts_chart_draws_the_stock_line(client, world, admin_user):
    alert = AlertFactory(
        store=world["store_in"], sku=world["sku_in"], kind="phantom_inventory", metric="stock"
    )
    InventorySnapshot.objects.create(
        store=alert.store, sku=alert.sku, date=alert.start_date, on_hand=40
    )
    client.force_login(admin_user)
    chart = client.get(reverse("anomalies:alert", args=[alert.pk])).context["chart"]
    assert chart["stock"]["y"] == [40]


def test_confirming_with_htmx_returns_the_work_panel_and_records_the_history(
    client, world, admin_user
):
    alert = world["spike"]
    client.force_login(admin_user)
    response = client.post(
        reverse("anomalies:action", args=[alert.pk]),
        {"action": "confirm", "version": 1},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<aside class="card work-panel" id="alert-work">')
    assert "Saved: the alert is now confirmed." in body
    assert "status New → Confirmed" in body  # the history, read from the audit log
    assert AuditEntry.objects.filter(object_type="alert", object_id=str(alert.pk)).exists()


def test_without_javascript_a_verdict_redirects_to_the_alert(client, world, admin_user):
    client.force_login(admin_user)
    url = reverse("anomalies:action", args=[world["spike"].pk])
    response = client.post(url, {"action": "dismiss", "version": 1, "reason": "expected"})
    assert response.status_code == 302
    assert Alert.objects.get(pk=world["spike"].pk).dismiss_reason == "expected"


def test_a_dismissal_without_a_reason_is_refused_and_changes_nothing(client, world, admin_user):
    client.force_login(admin_user)
    url = reverse("anomalies:action", args=[world["spike"].pk])
    response = client.post(url, {"action": "dismiss", "version": 1})
    assert response.status_code == 400
    assert "Choose why the alert is dismissed." in response.content.decode()
    assert Alert.objects.get(pk=world["spike"].pk).status == AlertStatus.NEW


def test_a_stale_verdict_shows_the_other_operators_change(client, world, admin_user):
    alert = world["spike"]
    colleague = UserFactory(username="colleague", role="admin")
    client.force_login(colleague)
    client.post(
        reverse("anomalies:action", args=[alert.pk]),
        {"action": "dismiss", "version": 1, "reason": "duplicate"},
    )
    client.force_login(admin_user)
    response = client.post(
        reverse("anomalies:action", args=[alert.pk]), {"action": "confirm", "version": 1}
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "colleague changed this alert" in body and "your action was not applied" in body
    assert "It is now <strong>Dismissed</strong>" in body
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.DISMISSED


def test_executives_read_alerts_but_have_no_verdict_controls(client, world, executive):
    client.force_login(executive)
    page = client.get(reverse("anomalies:alert", args=[world["spike"].pk])).content.decode()
    assert "Planners and admins give verdicts" in page
    assert "Confirm: a real anomaly" not in page
    inbox = client.get(reverse("anomalies:inbox")).content.decode()
    assert 'id="bulk-form"' not in inbox


def test_bulk_assign_to_me_from_the_inbox(client, world):
    planner = world["scoped_planner"]
    client.force_login(planner)
    ids = [world["spike"].pk, world["drop"].pk]
    response = client.post(
        reverse("anomalies:bulk"),
        {"action": "assign", "owner": "__me__", "alerts": ids, "next": "?kind=demand_drop"},
    )
    assert response.status_code == 302 and response.url.endswith("/alerts/?kind=demand_drop")
    assert set(Alert.objects.filter(pk__in=ids).values_list("owner", flat=True)) == {planner.pk}


def test_the_dashboards_precision_follows_verdicts(client, world, admin_user):
    client.force_login(admin_user)
    url = reverse("anomalies:dashboard")
    assert client.get(url).context["figures"]["precision"] is None
    client.post(
        reverse("anomalies:action", args=[world["spike"].pk]), {"action": "confirm", "version": 1}
    )
    client.post(
        reverse("anomalies:action", args=[world["drop"].pk]),
        {"action": "dismiss", "version": 1, "reason": "expected"},
    )
    figures = client.get(url).context["figures"]
    assert figures["precision"] == 0.5
    assert figures["confirmed"] == 1 and figures["dismissed"] == 1
    assert figures["median_hours_to_verdict"] is not None
    assert sum(figures["precision_by_week"]["judged"]) == 2
    page = client.get(url).content.decode()
    assert "50.0 %" in page and "target 95 %" in page


def test_notifications_list_the_users_alerts_and_the_badge_counts_unread(client, world):
    planner = world["scoped_planner"]
    AlertNotification.objects.create(user=planner, alert=world["spike"])
    AlertNotification.objects.create(user=planner, alert=world["foreign"])  # out of scope now
    client.force_login(planner)
    page = client.get(reverse("anomalies:notifications"))
    assert [note.alert for note in page.context["notifications"]] == [world["spike"]]
    assert ">1 alert</a>" in page.content.decode()  # the badge counts what the list shows
    client.post(reverse("anomalies:notifications"), {})
    assert not AlertNotification.objects.filter(read_at__isnull=True).exists()


def test_a_planner_scoped_by_region_only_sees_every_alert_of_the_region(client, world):
    planner = UserFactory(username="north-only", role="planner")
    PlanningScopeFactory(user=planner).regions.add(world["north"])
    client.force_login(planner)
    rows = _rows(client.get(reverse("anomalies:inbox")))
    assert sorted(rows) == ["Cola sold 48 against 10.", "Cola sold nothing for three days."]


def test_the_dashboard_counts_alerts_in_the_companys_weeks(client, scoped_world, admin_user):
    from masterdata.selectors import company

    settings = company()
    settings.week_ends_on = 4  # Friday, as Walmart's weeks
    settings.save()
    world = scoped_world
    saturday, friday = dt.date(2025, 1, 4), dt.date(2025, 1, 10)
    for day in (saturday, friday, friday + dt.timedelta(days=1)):
        AlertFactory(store=world["store_in"], sku=world["sku_in"], start_date=day, end_date=day)
    client.force_login(admin_user)
    by_kind = client.get(reverse("anomalies:dashboard")).context["figures"]["by_kind"]
    assert by_kind["x"] == ["2025-01-10", "2025-01-17"]  # labelled by the Friday ending each
    assert by_kind["traces"] == [{"name": "Demand spike", "y": [2, 1]}]


def test_detectors_read_as_words_one_row_each_strongest_first():
    from anomalies.detector_rows import detector_rows

    rows = detector_rows(
        [
            {"name": "dbscan_peers", "score": 1.9, "detail": {"week_ratio": 0.137}},
            {"name": "zero_sales_probability", "score": 35.5, "detail": {"days": 56}},
            {"name": "dbscan_peers", "score": 2.9, "detail": {"week_ratio": 0.054}},
            {"name": "stock_balance", "score": 12.0, "detail": {"rose_without_receipt": True}},
        ]
    )
    assert [row["name"] for row in rows] == [
        "No sales for too long",
        "Stock balance (movements without receipts)",
        "DBSCAN: unlike its peers",
    ]
    assert rows[1]["detail"] == "rose without receipt yes"
    assert (rows[2]["score"], rows[2]["detail"], rows[2]["times"]) == (2.9, "week ratio 0.054", 2)


def test_a_late_delivery_reads_in_days_of_lead_time(client, world, admin_user):
    alert = AlertFactory(
        store=world["store_in"],
        sku=world["sku_in"],
        kind="late_delivery",
        metric="supply",
        expected=14,
        actual=29,
        expected_low=None,
        expected_high=None,
    )
    client.force_login(admin_user)
    page = client.get(reverse("anomalies:alert", args=[alert.pk])).content.decode()
    assert "Expected lead time</dt><dd>14.0 days" in page
    assert "<strong>29.0 days</strong>" in page and "+15.0 days" in page
    export = client.get(reverse("anomalies:inbox"), {"kind": "late_delivery", "export": "csv"})
    row = next(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert (row["Expected"], row["Actual"], row["Unit of expected and actual"]) == (
        "14.0",
        "29.0",
        "days",
    )
