"""What operators do with an alert: acknowledge, assign, comment, confirm, dismiss, reopen.

Each action is a keyword-only service in one transaction. The alert is read back locked
*through the actor's scope* inside that transaction, so an alert that left the scope (or
never was in it) is refused as missing, and an edit made from a page shown before someone
else's change is refused (``StaleAlert``, carrying the alert as it is now) instead of
silently overwriting it: the page sends the ``version`` it showed, every action bumps it.

Verdicts are audited by ``audit`` (``anomalies.Alert`` is in ``AUDITED_MODELS``): every
action saves the alert with ``update_fields`` naming what it changed, so the audit log holds
who did what and when, and the alert page reads its history from there.

Bulk actions lock the chosen alerts in primary-key order (one consistent order, so two
operators' batches cannot deadlock) and skip the ones the action no longer applies to
(closed meanwhile by someone else) rather than failing the whole batch; they say how many.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import Role
from accounts.roles import user_roles
from accounts.scoping import Scope
from anomalies.models import (
    CLOSED_STATUSES,
    Alert,
    AlertComment,
    AlertNotification,
    AlertStatus,
    DismissReason,
)

BULK_MAX = 500  # alerts per bulk action: a page of the inbox, ten times over
VERDICT_ROLES = frozenset({Role.PLANNER, Role.ADMIN})


class StaleAlert(Exception):
    """The alert changed since the page was shown; ``alert`` is the alert as it is now."""

    def __init__(self, alert: Alert):
        super().__init__("Someone else changed this alert since you opened it.")
        self.alert = alert


class VerdictRefused(ValueError):
    """The action does not apply (an unknown reason, a closed alert, an owner who may not
    see the alert); the message says why in words for the operator."""


class BulkAction:
    ACKNOWLEDGE = "acknowledge"
    ASSIGN = "assign"
    CONFIRM = "confirm"
    DISMISS = "dismiss"
    CHOICES = [
        (ACKNOWLEDGE, "Acknowledge"),
        (ASSIGN, "Assign"),
        (CONFIRM, "Close as confirmed"),
        (DISMISS, "Dismiss"),
    ]


@dataclass(frozen=True)
class BulkResult:
    changed: int
    skipped: int


def _locked(*, scope: Scope, alert_id: int, version: int | None) -> Alert:
    """The alert, locked and re-read through ``scope``; ``version`` (when given) must match."""
    alert = (
        Alert.objects.visible_to(scope)
        .select_for_update(no_key=True, of=("self",))
        .filter(pk=alert_id)
        .first()
    )
    if alert is None:
        raise Alert.DoesNotExist(f"No alert {alert_id} in your scope.")
    if version is not None and alert.version != version:
        raise StaleAlert(alert)
    return alert


def _save(alert: Alert, fields: list[str]) -> Alert:
    alert.version += 1
    alert.save(update_fields=[*fields, "version", "updated_at"])
    return alert


def _check_open(alert: Alert) -> None:
    if alert.status in CLOSED_STATUSES:
        raise VerdictRefused(
            f"This alert is already {alert.get_status_display().lower()}; reopen it first."
        )


def check_owner(*, alert: Alert, owner) -> None:
    """An owner must be an active planner or admin who can see the alert."""
    if owner is None:
        return
    if not owner.is_active or not (user_roles(owner) & VERDICT_ROLES):
        raise VerdictRefused(f"{owner.get_username()} is not a planner or admin.")
    if not Alert.objects.visible_to(Scope.for_user(owner)).filter(pk=alert.pk).exists():
        raise VerdictRefused(f"{owner.get_username()} cannot see this alert (outside their scope).")


def _acknowledge(alert: Alert, *, user) -> list[str]:
    _check_open(alert)
    fields = []
    if alert.status == AlertStatus.NEW:
        alert.status = AlertStatus.ACKNOWLEDGED
        fields.append("status")
    if alert.owner_id is None:
        alert.owner = user
        fields.append("owner")
    return fields


def _assign(alert: Alert, *, owner) -> list[str]:
    check_owner(alert=alert, owner=owner)
    alert.owner = owner
    return ["owner"]


def _close(alert: Alert, *, user, status: str, reason: str = "") -> list[str]:
    _check_open(alert)
    alert.status = status
    alert.dismiss_reason = reason
    alert.closed_at = timezone.now()
    alert.closed_by = user
    fields = ["status", "dismiss_reason", "closed_at", "closed_by"]
    if alert.owner_id is None:
        alert.owner = user
        fields.append("owner")
    return fields


def _check_reason(reason: str) -> str:
    if reason not in DismissReason.values:
        raise VerdictRefused("Choose why the alert is dismissed.")
    return reason


@transaction.atomic
def alert_acknowledge(*, scope: Scope, alert_id: int, version: int | None, user) -> Alert:
    """Someone is looking at it: status "acknowledged", and it is theirs if it had no owner."""
    alert = _locked(scope=scope, alert_id=alert_id, version=version)
    return _save(alert, _acknowledge(alert, user=user))


@transaction.atomic
def alert_assign(*, scope: Scope, alert_id: int, version: int | None, owner) -> Alert:
    """Give the alert to ``owner`` (``None`` leaves it unowned)."""
    alert = _locked(scope=scope, alert_id=alert_id, version=version)
    return _save(alert, _assign(alert, owner=owner))


@transaction.atomic
def alert_confirm(*, scope: Scope, alert_id: int, version: int | None, user) -> Alert:
    """Close as a real anomaly: a true positive of the detection."""
    alert = _locked(scope=scope, alert_id=alert_id, version=version)
    return _save(alert, _close(alert, user=user, status=AlertStatus.CONFIRMED))


@transaction.atomic
def alert_dismiss(*, scope: Scope, alert_id: int, version: int | None, user, reason: str) -> Alert:
    """Close as a false alarm, with the reason (a false positive of the detection)."""
    reason = _check_reason(reason)
    alert = _locked(scope=scope, alert_id=alert_id, version=version)
    return _save(alert, _close(alert, user=user, status=AlertStatus.DISMISSED, reason=reason))


@transaction.atomic
def alert_reopen(*, scope: Scope, alert_id: int, version: int | None, user) -> Alert:
    """Undo a verdict given by mistake: back to "acknowledged", the verdict no longer counts."""
    alert = _locked(scope=scope, alert_id=alert_id, version=version)
    if alert.status not in CLOSED_STATUSES:
        raise VerdictRefused("This alert is open already.")
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.dismiss_reason = ""
    alert.closed_at = None
    alert.closed_by = None
    return _save(alert, ["status", "dismiss_reason", "closed_at", "closed_by"])


@transaction.atomic
def alert_comment(*, scope: Scope, alert_id: int, user, text: str) -> AlertComment:
    """A comment on the alert; comments never conflict, so no version is asked."""
    text = text.strip()
    if not text:
        raise VerdictRefused("Write a comment first.")
    if len(text) > 4000:
        raise VerdictRefused("A comment holds at most 4,000 characters.")
    alert = _locked(scope=scope, alert_id=alert_id, version=None)
    return AlertComment.objects.create(
        alert=alert, author=user, author_name=user.get_username(), text=text
    )


@transaction.atomic
def alerts_bulk_verdict(
    *,
    scope: Scope,
    alert_ids: list[int],
    action: str,
    user,
    owner=None,
    reason: str = "",
) -> BulkResult:
    """Apply ``action`` (``BulkAction``) to every chosen alert in scope.

    An id outside the scope refuses the whole batch (someone forged it); alerts the action
    no longer applies to (closed meanwhile) are skipped and counted.
    """
    ids = sorted(set(alert_ids))
    if not ids:
        raise VerdictRefused("Tick at least one alert first.")
    if len(ids) > BULK_MAX:
        raise VerdictRefused(f"At most {BULK_MAX} alerts at once; narrow the filters.")
    if action == BulkAction.DISMISS:
        reason = _check_reason(reason)
    elif action not in {BulkAction.ACKNOWLEDGE, BulkAction.ASSIGN, BulkAction.CONFIRM}:
        raise VerdictRefused(f"Unknown action {action!r}.")
    alerts = list(
        Alert.objects.visible_to(scope)
        .select_for_update(no_key=True, of=("self",))
        .filter(pk__in=ids)
        .order_by("pk")
    )
    if len(alerts) != len(ids):
        raise Alert.DoesNotExist("Some of the chosen alerts are not in your scope.")
    if action == BulkAction.ASSIGN and owner is not None:
        _check_bulk_owner(alerts, owner)
    changed = skipped = 0
    for alert in alerts:
        if action != BulkAction.ASSIGN and alert.status in CLOSED_STATUSES:
            skipped += 1
            continue
        if action == BulkAction.ACKNOWLEDGE:
            fields = _acknowledge(alert, user=user)
        elif action == BulkAction.ASSIGN:
            alert.owner = owner
            fields = ["owner"]
        elif action == BulkAction.CONFIRM:
            fields = _close(alert, user=user, status=AlertStatus.CONFIRMED)
        else:
            fields = _close(alert, user=user, status=AlertStatus.DISMISSED, reason=reason)
        # One save per alert, not an UPDATE of the batch: each verdict is its own audit entry.
        _save(alert, fields)
        changed += 1
    return BulkResult(changed=changed, skipped=skipped)


def _check_bulk_owner(alerts: list[Alert], owner) -> None:
    if not owner.is_active or not (user_roles(owner) & VERDICT_ROLES):
        raise VerdictRefused(f"{owner.get_username()} is not a planner or admin.")
    visible = set(
        Alert.objects.visible_to(Scope.for_user(owner))
        .filter(pk__in=[alert.pk for alert in alerts])
        .values_list("pk", flat=True)
    )
    outside = len(alerts) - len(visible)
    if outside:
        raise VerdictRefused(
            f"{owner.get_username()} cannot see {outside} of the chosen alerts "
            "(outside their scope)."
        )


@transaction.atomic
def notifications_mark_read(*, user, notification_id: int | None) -> int:
    """Mark one of ``user``'s alert notifications read, or all of them; only their own."""
    unread = AlertNotification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())
