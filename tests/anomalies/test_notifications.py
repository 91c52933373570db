"""New high-severity alerts notify the planners in scope (admins otherwise), by e-mail on
commit; a rescan notifies nobody again."""

import pandas as pd
import pytest

from accounts.models import Role
from anomalies.engine.events import HIGH, LOW, Event
from anomalies.models import AlertNotification, AlertPolicy, ScanRun
from anomalies.services import alert_notifications_create, alerts_upsert
from tests.factories import (
    PlanningScopeFactory,
    RegionFactory,
    SKUFactory,
    StoreFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _event(store, sku, severity=HIGH, day="2025-03-01"):
    event = Event(
        kind="demand_spike",
        metric="sales",
        store_id=store.pk,
        sku_id=sku.pk,
        start=pd.Timestamp(day),
        end=pd.Timestamp(day),
        detected_on=pd.Timestamp(day),
        score=9.0,
        severity=severity,
        summary="Item at Store: sold 50 units",
        what_to_check="Check",
    )
    event.fired("residual", 9.0)
    return event


def _scan():
    return ScanRun.objects.create(mode="full", date_from="2025-03-01", date_to="2025-03-01")


def test_planner_in_scope_is_notified_and_emailed(django_capture_on_commit_callbacks, mailoutbox):
    north, south = RegionFactory(), RegionFactory()
    here, there = StoreFactory(region=north), StoreFactory(region=south)
    sku = SKUFactory()
    scope = PlanningScopeFactory(user=UserFactory(username="north", role=Role.PLANNER))
    scope.regions.add(north)
    admin = UserFactory(username="boss", role=Role.ADMIN)
    policy = AlertPolicy.current()
    with django_capture_on_commit_callbacks(execute=True):
        _, _, _, fresh = alerts_upsert(
            events=[_event(here, sku), _event(there, sku), _event(here, sku, LOW, "2025-03-02")],
            scan=_scan(),
            policy=policy,
        )
        assert len(fresh) == 2  # the low one is suppressed and notifies nobody
        alert_notifications_create(alert_ids=fresh)
    notified = set(AlertNotification.objects.values_list("user__username", "alert__store"))
    assert notified == {("north", here.pk), ("boss", there.pk)}
    assert sorted(m.to[0] for m in mailoutbox) == [admin.email, scope.user.email]
    assert AlertNotification.objects.filter(emailed=True).count() == 2


def test_rescan_does_not_notify_again():
    store, sku = StoreFactory(), SKUFactory()
    UserFactory(username="boss", role=Role.ADMIN)
    policy = AlertPolicy.current()
    _, _, _, fresh = alerts_upsert(events=[_event(store, sku)], scan=_scan(), policy=policy)
    assert len(fresh) == 1
    new, updated, _, fresh = alerts_upsert(events=[_event(store, sku)], scan=_scan(), policy=policy)
    assert (new, updated, fresh) == (0, 1, [])
