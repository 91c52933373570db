"""Operators' actions on alerts: each is scope-checked in its transaction, refuses a stale
edit with the alert as it is now, and leaves an audit entry naming who did what."""

from __future__ import annotations

import pytest

from accounts.scoping import Scope
from anomalies import verdicts
from anomalies.models import Alert, AlertComment, AlertNotification, AlertStatus
from audit.context import audit_context
from audit.models import AuditEntry
from tests.factories import AlertFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerts(scoped_world):
    world = scoped_world
    inside = AlertFactory(store=world["store_in"], sku=world["sku_in"])
    outside = AlertFactory(store=world["store_out"], sku=world["sku_out"])
    return world, inside, outside


def _scope(user) -> Scope:
    return Scope.for_user(user)


def test_confirm_closes_the_alert_bumps_its_version_and_is_audited(alerts):
    world, alert, _ = alerts
    planner = world["scoped_planner"]
    with audit_context(actor=planner):
        verdicts.alert_confirm(scope=_scope(planner), alert_id=alert.pk, version=1, user=planner)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CONFIRMED
    assert alert.closed_by == planner and alert.closed_at is not None
    assert alert.owner == planner  # an unowned alert becomes the judge's
    assert alert.version == 2
    entry = AuditEntry.objects.get(object_type="alert", object_id=str(alert.pk))
    assert entry.username == planner.username
    assert entry.before["status"] == "new" and entry.after["status"] == "confirmed"


def test_a_stale_edit_is_refused_and_carries_the_other_operators_change(alerts):
    world, alert, _ = alerts
    planner = world["scoped_planner"]
    colleague = UserFactory(username="colleague", role="admin")
    verdicts.alert_dismiss(
        scope=Scope.system(), alert_id=alert.pk, version=1, user=colleague, reason="expected"
    )
    with pytest.raises(verdicts.StaleAlert) as refused:
        verdicts.alert_confirm(scope=_scope(planner), alert_id=alert.pk, version=1, user=planner)
    assert refused.value.alert.status == AlertStatus.DISMISSED
    assert refused.value.alert.closed_by == colleague
    alert.refresh_from_db()
    assert alert.status == AlertStatus.DISMISSED and alert.version == 2


def test_an_alert_outside_the_scope_cannot_be_touched(alerts):
    world, _, outside = alerts
    planner = world["scoped_planner"]
    with pytest.raises(Alert.DoesNotExist):
        verdicts.alert_confirm(scope=_scope(planner), alert_id=outside.pk, version=1, user=planner)
    with pytest.raises(Alert.DoesNotExist):
        verdicts.alert_comment(scope=_scope(planner), alert_id=outside.pk, user=planner, text="x")
    outside.refresh_from_db()
    assert outside.status == AlertStatus.NEW and not AlertComment.objects.exists()


def test_dismiss_needs_a_known_reason_and_a_closed_alert_needs_reopening(alerts):
    world, alert, _ = alerts
    planner = world["scoped_planner"]
    scope = _scope(planner)
    with pytest.raises(verdicts.VerdictRefused, match="why"):
        verdicts.alert_dismiss(scope=scope, alert_id=alert.pk, version=1, user=planner, reason="")
    verdicts.alert_dismiss(
        scope=scope, alert_id=alert.pk, version=1, user=planner, reason="explained"
    )
    with pytest.raises(verdicts.VerdictRefused, match="reopen"):
        verdicts.alert_confirm(scope=scope, alert_id=alert.pk, version=2, user=planner)
    reopened = verdicts.alert_reopen(scope=scope, alert_id=alert.pk, version=2, user=planner)
    assert reopened.status == AlertStatus.ACKNOWLEDGED
    assert reopened.dismiss_reason == "" and reopened.closed_at is None
    confirmed = verdicts.alert_confirm(scope=scope, alert_id=alert.pk, version=3, user=planner)
    assert confirmed.status == AlertStatus.CONFIRMED


def test_acknowledge_takes_ownership_only_of_an_unowned_alert(alerts):
    world, alert, _ = alerts
    planner = world["scoped_planner"]
    admin = UserFactory(username="boss", role="admin")
    alert.owner = admin
    alert.save()
    acknowledged = verdicts.alert_acknowledge(
        scope=_scope(planner), alert_id=alert.pk, version=1, user=planner
    )
    assert acknowledged.status == AlertStatus.ACKNOWLEDGED
    assert acknowledged.owner == admin


def test_an_alert_is_assigned_only_to_a_planner_or_admin_who_can_see_it(alerts):
    world, alert, outside = alerts
    planner = world["scoped_planner"]
    executive = UserFactory(username="exec", role="executive")
    with pytest.raises(verdicts.VerdictRefused, match="not a planner or admin"):
        verdicts.alert_assign(scope=Scope.system(), alert_id=alert.pk, version=1, owner=executive)
    with pytest.raises(verdicts.VerdictRefused, match="outside their scope"):
        verdicts.alert_assign(scope=Scope.system(), alert_id=outside.pk, version=1, owner=planner)
    assigned = verdicts.alert_assign(
        scope=Scope.system(), alert_id=alert.pk, version=1, owner=planner
    )
    assert assigned.owner == planner


def test_a_comment_is_kept_with_its_authors_name_and_blank_ones_are_refused(alerts):
    world, alert, _ = alerts
    planner = world["scoped_planner"]
    with pytest.raises(verdicts.VerdictRefused):
        verdicts.alert_comment(scope=_scope(planner), alert_id=alert.pk, user=planner, text="  ")
    comment = verdicts.alert_comment(
        scope=_scope(planner), alert_id=alert.pk, user=planner, text=" A local fair. "
    )
    assert comment.text == "A local fair." and comment.author_name == planner.username


def test_bulk_dismiss_skips_alerts_closed_meanwhile_and_audits_each_one(alerts):
    world, alert, _ = alerts
    planner = world["scoped_planner"]
    second = AlertFactory(store=world["store_in"], sku=world["sku_in"])
    closed = AlertFactory(store=world["store_in"], sku=world["sku_in"], status="confirmed")
    with audit_context(actor=planner):
        result = verdicts.alerts_bulk_verdict(
            scope=_scope(planner),
            alert_ids=[alert.pk, second.pk, closed.pk],
            action="dismiss",
            user=planner,
            reason="duplicate",
        )
    assert (result.changed, result.skipped) == (2, 1)
    statuses = dict(Alert.objects.values_list("pk", "status"))
    assert statuses[alert.pk] == statuses[second.pk] == "dismissed"
    assert statuses[closed.pk] == "confirmed"
    assert AuditEntry.objects.filter(object_type="alert").count() == 2


def test_a_bulk_action_naming_an_alert_outside_the_scope_changes_nothing(alerts):
    world, alert, outside = alerts
    planner = world["scoped_planner"]
    with pytest.raises(Alert.DoesNotExist):
        verdicts.alerts_bulk_verdict(
            scope=_scope(planner),
            alert_ids=[alert.pk, outside.pk],
            action="confirm",
            user=planner,
        )
    assert set(Alert.objects.values_list("status", flat=True)) == {"new"}


def test_bulk_assign_refuses_an_owner_who_cannot_see_every_alert(alerts):
    world, alert, outside = alerts
    planner = world["scoped_planner"]
    with pytest.raises(verdicts.VerdictRefused, match="cannot see 1 of the chosen alerts"):
        verdicts.alerts_bulk_verdict(
            scope=Scope.system(),
            alert_ids=[alert.pk, outside.pk],
            action="assign",
            user=UserFactory(username="root", role="admin"),
            owner=planner,
        )
    assert not Alert.objects.filter(owner__isnull=False).exists()


def test_notifications_are_marked_read_only_for_their_user(alerts):
    world, alert, _ = alerts
    planner = world["scoped_planner"]
    other = UserFactory(username="other", role="planner")
    mine = AlertNotification.objects.create(user=planner, alert=alert)
    theirs = AlertNotification.objects.create(user=other, alert=alert)
    assert verdicts.notifications_mark_read(user=planner, notification_id=theirs.pk) == 0
    assert verdicts.notifications_mark_read(user=planner, notification_id=None) == 1
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None
