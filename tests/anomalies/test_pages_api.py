"""The alert API for integrations: scoped reads with filters, and a verdict that refuses a
stale version (409, with the alert as it is now) and a dismissal without a reason."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from anomalies.models import Alert, AlertStatus
from audit.models import AuditEntry
from tests.factories import AlertFactory

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def alerts(scoped_world):
    world = scoped_world
    world["spike"] = AlertFactory(store=world["store_in"], sku=world["sku_in"])
    world["drop"] = AlertFactory(
        store=world["store_in"], sku=world["sku_in"], kind="demand_drop", severity=1
    )
    world["foreign"] = AlertFactory(store=world["store_out"], sku=world["sku_out"])
    return world


def test_a_scoped_token_lists_only_alerts_in_scope_with_codes(alerts):
    client = _client(alerts["scoped_planner"])
    rows = client.get("/api/v1/alerts/").json()["results"]
    assert {row["id"] for row in rows} == {alerts["spike"].pk, alerts["drop"].pk}
    assert rows[0]["store"] == "N1" and rows[0]["sku"] == "COLA"
    assert client.get(f"/api/v1/alerts/{alerts['foreign'].pk}/").status_code == 404


def test_filters_narrow_and_bad_values_answer_400(alerts, executive):
    client = _client(executive)
    rows = client.get("/api/v1/alerts/", {"kind": "demand_drop"}).json()["results"]
    assert [row["id"] for row in rows] == [alerts["drop"].pk]
    rows = client.get("/api/v1/alerts/", {"min_severity": 3, "store": "S1"}).json()["results"]
    assert [row["id"] for row in rows] == [alerts["foreign"].pk]
    assert client.get("/api/v1/alerts/", {"status": "maybe"}).status_code == 400


def test_a_verdict_closes_the_alert_and_a_stale_one_answers_409(alerts, admin_user):
    client = _client(admin_user)
    url = f"/api/v1/alerts/{alerts['spike'].pk}/verdict/"
    response = client.post(url, {"verdict": "confirm", "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    entry = AuditEntry.objects.get(object_type="alert", object_id=str(alerts["spike"].pk))
    assert entry.username == admin_user.username  # the token's user, not anonymous
    stale = client.post(
        url, {"verdict": "dismiss", "version": 1, "dismiss_reason": "expected"}, format="json"
    )
    assert stale.status_code == 409
    assert stale.json()["alert"]["status"] == "confirmed"
    assert Alert.objects.get(pk=alerts["spike"].pk).status == AlertStatus.CONFIRMED


def test_a_dismissal_needs_a_reason_and_executives_cannot_judge(alerts, executive, admin_user):
    url = f"/api/v1/alerts/{alerts['spike'].pk}/verdict/"
    refused = _client(admin_user).post(url, {"verdict": "dismiss", "version": 1}, format="json")
    assert refused.status_code == 400 and "dismiss_reason" in refused.json()
    forbidden = _client(executive).post(url, {"verdict": "confirm", "version": 1}, format="json")
    assert forbidden.status_code == 403
    assert Alert.objects.get(pk=alerts["spike"].pk).status == AlertStatus.NEW
