"""Anomaly scans: load the periods to score in bulk, run the detectors, store the alerts.

``anomaly_scan_run`` is the one scan (the ``anomaly_scan`` job's work, for the command, the
schedule and the scan after each import). Alerts are upserted by ``fingerprint`` (kind,
place, SKU, start): a rescan updates its alert's figures and never adds a second one, and an
operator's verdict, owner and comments are never touched; alerts of the scanned window that
the rescan no longer raises are withdrawn unless an operator has worked them.
``AlertPolicy`` decides what reaches the inbox: alerts under the minimum severity, or
beyond a store's daily budget, are stored with ``suppressed=True`` and counted. New alerts
at or above the notification severity notify the planners whose scope covers them (admins
when no planner does), in the app and by e-mail, once the scan's transaction commits.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q

from accounts.models import Role
from accounts.scoping import Scope
from anomalies.engine.events import Event
from anomalies.engine.scan import scan_detect
from anomalies.engine.settings import DetectorSettings
from anomalies.job_params import AnomalyScanParams
from anomalies.models import (
    Alert,
    AlertNotification,
    AlertPolicy,
    AlertStatus,
    ScanMode,
    ScanRun,
)
from anomalies.scan_inputs import sales_date_range, scan_inputs_load
from jobs.services import job_start

logger = logging.getLogger(__name__)

ANOMALY_SCAN_KIND = "anomaly_scan"
BASELINE_WARMUP_DAYS = 56  # a full scan scores from the day the baseline has its 8 weeks
FINGERPRINT_BATCH = 5000
MEASURED_FIELDS = [
    "end_date",
    "metric",
    "expected",
    "actual",
    "expected_low",
    "expected_high",
    "units_at_stake",
    "value_at_stake",
    "stockout_risk",
    "score",
    "severity",
    "detectors",
    "summary",
    "suggested_cause",
    "what_to_check",
    "suppressed",
    "scan",
]

Progress = Callable[[float, str], None]


def scan_window(
    *, mode: str, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> tuple[dt.date, dt.date] | None:
    """The periods a scan of ``mode`` scores, or None when there is nothing new."""
    first, last = sales_date_range()
    if first is None:
        return None
    end = min(date_to, last) if date_to else last
    if date_from is not None:
        start = date_from
    elif mode == ScanMode.FULL:
        start = first + dt.timedelta(days=BASELINE_WARMUP_DAYS)
    else:
        watermark = ScanRun.objects.order_by("-date_to").values_list("date_to", flat=True).first()
        start = (
            watermark + dt.timedelta(days=1)
            if watermark
            else first + dt.timedelta(days=BASELINE_WARMUP_DAYS)
        )
    start = max(start, first)
    return (start, end) if start <= end else None


def anomaly_scan_run(
    *,
    mode: str,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    detector_settings: DetectorSettings | None = None,
    job_id: int | None = None,
    progress: Progress | None = None,
) -> ScanRun | None:
    """Scan the periods of ``mode`` and store the alerts; None when nothing is new."""
    report = progress or (lambda percent, message: None)
    started = time.monotonic()
    window = scan_window(mode=mode, date_from=date_from, date_to=date_to)
    if window is None:
        report(100, "No new periods to scan")
        return None
    start, end = window
    report(5, f"Loading sales, stock and orders for {start} – {end}")
    inputs = scan_inputs_load(date_from=start, date_to=end)
    report(
        30, f"Scoring {inputs.sales[['store_id', 'sku_id']].drop_duplicates().shape[0]:,} series"
    )
    result = scan_detect(inputs, detector_settings)
    report(80, f"Storing {len(result.events):,} alerts")
    with transaction.atomic():
        scan = ScanRun.objects.create(
            job_id=job_id,
            mode=mode,
            date_from=start,
            date_to=end,
            series_scanned=result.series,
            periods_scanned=result.periods,
        )
        new, updated, suppressed, fresh = alerts_upsert(
            events=result.events, scan=scan, policy=AlertPolicy.current()
        )
        retracted = alerts_retract(
            date_from=start, date_to=end, keep={event.fingerprint for event in result.events}
        )
        notified = alert_notifications_create(alert_ids=fresh)
        scan.alerts_new, scan.alerts_updated, scan.alerts_suppressed = new, updated, suppressed
        scan.seconds = time.monotonic() - started
        scan.summary = {**result.counts, "notifications": notified, "retracted": retracted}
        scan.save()
    report(100, f"{new} new, {updated} updated, {suppressed} suppressed alerts")
    return scan


def _suppression(events: list[Event], policy: AlertPolicy) -> list[bool]:
    """Below the minimum severity, or beyond the store's daily budget (the most severe
    alerts of a store and day are kept)."""
    suppressed = [event.severity < policy.min_severity for event in events]
    order = sorted(range(len(events)), key=lambda i: (-events[i].severity, -events[i].score))
    used: dict[tuple, int] = {}
    for i in order:
        if suppressed[i] or events[i].store_id is None:
            continue
        key = (events[i].store_id, events[i].start.date())
        used[key] = used.get(key, 0) + 1
        if used[key] > policy.store_daily_budget:
            suppressed[i] = True
    return suppressed


def _known(value: float | None) -> float | None:
    """A figure, or None where the engine could not tell (NaN): PostgreSQL would store NaN
    as a number, SQLite as NULL, and neither is a value a page should show."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


def _alert_fields(event: Event, suppressed: bool, scan: ScanRun) -> dict:
    return {
        "kind": event.kind,
        "metric": event.metric,
        "store_id": event.store_id,
        "sku_id": event.sku_id,
        "supplier": event.supplier,
        "start_date": event.start.date(),
        "end_date": event.end.date(),
        "expected": _known(event.expected),
        "actual": _known(event.actual),
        "expected_low": _known(event.expected_low),
        "expected_high": _known(event.expected_high),
        "units_at_stake": round(_known(event.units_at_stake) or 0.0, 3),
        "value_at_stake": round(_known(event.value_at_stake) or 0.0, 2),
        "stockout_risk": _known(event.stockout_risk),
        "score": round(_known(event.score) or 0.0, 3),
        "severity": event.severity,
        "detectors": [
            {**fired, "detected_on": event.detected_on.date().isoformat()}
            for fired in event.detectors
        ],
        "summary": event.summary,
        "suggested_cause": event.suggested_cause,
        "what_to_check": event.what_to_check,
        "suppressed": suppressed,
        "scan": scan,
    }


def alerts_upsert(
    *, events: list[Event], scan: ScanRun, policy: AlertPolicy
) -> tuple[int, int, int, list[int]]:
    """Insert new alerts and update the figures of known ones, in bulk.

    Returns (new, updated, suppressed, ids of new alerts that reach the inbox).
    """
    suppressed = _suppression(events, policy)
    by_fingerprint = {
        event.fingerprint: (event, s) for event, s in zip(events, suppressed, strict=True)
    }
    fingerprints = list(by_fingerprint)
    existing: dict[str, Alert] = {}
    for i in range(0, len(fingerprints), FINGERPRINT_BATCH):
        batch = fingerprints[i : i + FINGERPRINT_BATCH]
        existing.update({a.fingerprint: a for a in Alert.objects.filter(fingerprint__in=batch)})
    to_create, to_update = [], []
    for fingerprint, (event, held) in by_fingerprint.items():
        fields = _alert_fields(event, held, scan)
        alert = existing.get(fingerprint)
        if alert is None:
            to_create.append(Alert(fingerprint=fingerprint, **fields))
        else:
            for name in MEASURED_FIELDS:
                setattr(alert, name, fields[name])
            to_update.append(alert)
    Alert.objects.bulk_create(to_create, batch_size=2000)
    Alert.objects.bulk_update(to_update, MEASURED_FIELDS, batch_size=2000)
    fresh = [
        a.pk for a in to_create if not a.suppressed and a.severity >= policy.notify_min_severity
    ]
    return len(to_create), len(to_update), sum(suppressed), fresh


def alerts_retract(*, date_from: dt.date, date_to: dt.date, keep: set[str]) -> int:
    """Delete the alerts starting in the scanned window that this scan no longer raises and
    that nobody has touched (still new, unassigned, without comments): detectors' output
    that a rescan (new data, new settings) withdraws. Anything an operator worked is kept.
    """
    stale = (
        Alert.objects.filter(
            start_date__gte=date_from,
            start_date__lte=date_to,
            status=AlertStatus.NEW,
            owner__isnull=True,
            comments__isnull=True,
        )
        .exclude(fingerprint__in=keep)
        .values_list("pk", flat=True)
    )
    ids = list(stale)
    for i in range(0, len(ids), FINGERPRINT_BATCH):
        Alert.objects.filter(pk__in=ids[i : i + FINGERPRINT_BATCH]).delete()
    return len(ids)


def _alert_owners(alert_ids: list[int]) -> dict[int, set[int]]:
    """Per alert, the planners whose scope covers it; admins for alerts no planner covers.

    One query per planner (a handful), never one per alert.
    """
    owners: dict[int, set[int]] = {pk: set() for pk in alert_ids}
    planners = User.objects.filter(groups__name=Role.PLANNER, is_active=True).distinct()
    alerts = Alert.objects.filter(pk__in=alert_ids)
    for planner in planners:
        for pk in alerts.visible_to(Scope.for_user(planner)).values_list("pk", flat=True):
            owners[pk].add(planner.pk)
    orphans = [pk for pk, users in owners.items() if not users]
    if orphans:
        admins = set(
            User.objects.filter(Q(is_superuser=True) | Q(groups__name=Role.ADMIN), is_active=True)
            .distinct()
            .values_list("pk", flat=True)
        )
        for pk in orphans:
            owners[pk] = set(admins)
    return owners


def alert_notifications_create(*, alert_ids: list[int]) -> int:
    """Notify the owners of new high-severity alerts in the app, and e-mail them on commit."""
    if not alert_ids:
        return 0
    owners = _alert_owners(alert_ids)
    rows = [
        AlertNotification(user_id=user, alert_id=pk)
        for pk, users in owners.items()
        for user in sorted(users)
    ]
    AlertNotification.objects.bulk_create(rows, ignore_conflicts=True)
    created = AlertNotification.objects.filter(alert_id__in=alert_ids, emailed=False)
    ids = list(created.values_list("pk", flat=True))
    transaction.on_commit(lambda: alert_notifications_email(notification_ids=ids))
    return len(rows)


def alert_notifications_email(*, notification_ids: list[int]) -> int:
    """One e-mail per user listing their new alerts (Django's e-mail backend)."""
    notifications = AlertNotification.objects.filter(pk__in=notification_ids).select_related(
        "user", "alert"
    )
    per_user: dict[User, list[Alert]] = {}
    for notification in notifications:
        if notification.user.email:
            per_user.setdefault(notification.user, []).append(notification.alert)
    messages = []
    for user, alerts in per_user.items():
        lines = [
            f"- [{alert.get_severity_display()}] {alert.summary} Check: {alert.what_to_check}"
            for alert in sorted(alerts, key=lambda a: -a.severity)
        ]
        subject = f"{len(alerts)} new anomaly alert{'s' if len(alerts) != 1 else ''}"
        messages.append((subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [user.email]))
    sent = send_mass_mail(messages, fail_silently=True) if messages else 0
    recipients = [u.pk for u in per_user]
    AlertNotification.objects.filter(pk__in=notification_ids, user_id__in=recipients).update(
        emailed=True
    )
    return sent


def anomaly_scan_job_work(job, params: AnomalyScanParams, progress: Progress) -> dict:
    """The ``anomaly_scan`` job: one scan with the job's params."""
    scan = anomaly_scan_run(
        mode=params.mode,
        date_from=dt.date.fromisoformat(params.date_from) if params.date_from else None,
        date_to=dt.date.fromisoformat(params.date_to) if params.date_to else None,
        job_id=job.pk,
        progress=progress,
    )
    if scan is None:
        return {"scan": None, "periods": 0}
    return {
        "scan": scan.pk,
        "date_from": scan.date_from.isoformat(),
        "date_to": scan.date_to.isoformat(),
        "series": scan.series_scanned,
        "periods": scan.periods_scanned,
        "alerts_new": scan.alerts_new,
        "alerts_updated": scan.alerts_updated,
        "alerts_suppressed": scan.alerts_suppressed,
        "seconds": scan.seconds,
    }


def anomaly_scan_after_import(*, written: dict | None = None, **kwargs) -> None:
    """After new sales arrive, start an incremental scan of the new periods once the import
    commits."""
    if written is not None and not written.get("sales"):
        return
    if not ScanRun.objects.exists():
        # Incremental scans follow a first (full or scheduled) scan: until then nobody has
        # asked for detection, and an import must not start scanning years of history.
        return

    def start() -> None:
        job_start(
            kind=ANOMALY_SCAN_KIND,
            params=AnomalyScanParams(mode=ScanMode.INCREMENTAL),
            actor=None,
        )

    transaction.on_commit(start)
