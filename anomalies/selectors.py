"""Reads for the operators' pages: scoped alert lists, one alert's story and chart, the
anomalies dashboard's figures and a user's alert notifications.

Every alert read goes through ``Alert.objects.visible_to(scope)``: an alert outside the
actor's scope does not exist for them (404 in views and the API).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate

from accounts.models import Role
from accounts.scoping import Scope
from anomalies.models import (
    Alert,
    AlertKind,
    AlertNotification,
    AlertStatus,
    DismissReason,
    Metric,
    Severity,
)
from audit.models import AuditEntry
from forecasting.models import BacktestPoint, Forecast, Granularity
from history.models import CalendarEvent, InventorySnapshot, Promotion, SalesFact, SupplyOrder
from history.weeks import WeekStart, week_start_weekday

# The seed's target: the share of detected anomalies operators confirm.
PRECISION_TARGET = 0.95
# Days of context drawn before and after an event on the alert's chart.
CHART_BEFORE_DAYS = 42
CHART_AFTER_DAYS = 14


def alerts_in_scope(scope: Scope) -> QuerySet[Alert]:
    """Every alert the actor may see, inbox or held back, with the names pages show."""
    return Alert.objects.visible_to(scope).select_related(
        "store", "store__region", "warehouse", "sku", "sku__category", "owner", "closed_by"
    )


def inbox_alerts(scope: Scope, *, held_back: bool = False) -> QuerySet[Alert]:
    """The inbox (alerts that passed the budget and minimum severity), or with
    ``held_back`` the alerts the policy kept out of it."""
    return alerts_in_scope(scope).filter(suppressed=held_back)


def alert_detail(scope: Scope, pk: int) -> Alert:
    """One alert in scope; ``Alert.DoesNotExist`` otherwise."""
    return alerts_in_scope(scope).get(pk=pk)


def alert_history(alert: Alert) -> list[dict]:
    """What operators did to the alert, oldest first, from the audit log: who, when, and the
    fields that changed (status, owner, reason …) with their values before and after."""
    entries = list(
        AuditEntry.objects.filter(object_type="alert", object_id=str(alert.pk)).order_by(
            "created_at", "id"
        )
    )
    ids = {
        values.get(field)
        for entry in entries
        for values in (entry.before or {}, entry.after or {})
        for field in ("owner", "closed_by")
    } - {None}
    users = dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username"))
    labels = {
        "status": ("Status", dict(AlertStatus.choices)),
        "dismiss_reason": ("Reason", dict(DismissReason.choices)),
        "owner": ("Owner", users),
        "closed_by": ("Closed by", users),
    }
    history = []
    for entry in entries:
        before, after = entry.before or {}, entry.after or {}
        changes = []
        for field, (label, names) in labels.items():
            if before.get(field) != after.get(field):
                changes.append(
                    {
                        "label": label,
                        "before": names.get(before.get(field), before.get(field)) or "—",
                        "after": names.get(after.get(field), after.get(field)) or "—",
                    }
                )
        if changes or entry.action != "update":
            history.append(
                {"when": entry.created_at, "who": entry.username or "system", "changes": changes}
            )
    return history


def held_back_count(scope: Scope) -> int:
    return Alert.objects.visible_to(scope).filter(suppressed=True).count()


def assignable_users() -> QuerySet:
    """Active planners and admins by name: whom an alert can be given to (the service
    still checks the alert is in the owner's scope)."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name__in=[Role.PLANNER, Role.ADMIN]) | Q(is_superuser=True))
        .distinct()
        .order_by("username")
    )


# --- the alert's chart ---------------------------------------------------------------------


def _day(value: dt.date) -> str:
    return value.isoformat()


def alert_chart(alert: Alert) -> dict:
    """The series around the event for Plotly: actual sales (or stock), the expected band
    from the forecast made before the event (else backtest points), the event's dates, and
    promotions, calendar events and supply receipts of the store and SKU in the window."""
    start = alert.start_date - dt.timedelta(days=CHART_BEFORE_DAYS)
    end = alert.end_date + dt.timedelta(days=CHART_AFTER_DAYS)
    chart = {
        "event": {"start": _day(alert.start_date), "end": _day(alert.end_date)},
        "metric": alert.metric,
        "actual": {"x": [], "y": []},
        "expected": {"x": [], "y": [], "low": [], "high": [], "source": ""},
        "stock": {"x": [], "y": []},
        "promotions": [],
        "events": [],
        "receipts": [],
    }
    if alert.store_id is None and alert.warehouse_id is None:
        return chart
    if alert.sku_id is not None and alert.store_id is not None:
        sales = SalesFact.objects.filter(
            store_id=alert.store_id, sku_id=alert.sku_id, date__range=(start, end)
        ).order_by("date")
        for day, quantity in sales.values_list("date", "quantity"):
            chart["actual"]["x"].append(_day(day))
            chart["actual"]["y"].append(quantity)
        chart["expected"] = _expected_band(alert, start, end)
    if alert.sku_id is not None:
        place = (
            {"store_id": alert.store_id}
            if alert.store_id is not None
            else {"store__isnull": True, "warehouse_id": alert.warehouse_id}
        )
        if alert.metric in (Metric.STOCK, Metric.SUPPLY):
            stock = InventorySnapshot.objects.filter(
                sku_id=alert.sku_id, date__range=(start, end), **place
            ).order_by("date")
            for day, on_hand in stock.values_list("date", "on_hand"):
                chart["stock"]["x"].append(_day(day))
                chart["stock"]["y"].append(on_hand)
        receipts = SupplyOrder.objects.filter(sku_id=alert.sku_id, **place).filter(
            Q(received_on__range=(start, end)) | Q(promised_on__range=(start, end))
        )
        for order in receipts.order_by("promised_on"):
            chart["receipts"].append(
                {
                    "ref": order.order_ref,
                    "promised": _day(order.promised_on),
                    "received": _day(order.received_on) if order.received_on else None,
                    "quantity": order.quantity_received or order.quantity_ordered,
                }
            )
    if alert.store_id is not None:
        chart["promotions"] = _promotions(alert, start, end)
        chart["events"] = _calendar_events(alert, start, end)
    return chart


def _expected_band(alert: Alert, start: dt.date, end: dt.date) -> dict:
    """The newest daily forecast made before the event, over the window; without one, the
    backtest points (the models' out-of-sample fits) of the series in the window."""
    series = {"store_id": alert.store_id, "sku_id": alert.sku_id, "granularity": Granularity.DAILY}
    origin = (
        Forecast.objects.filter(**series, origin__lt=alert.start_date, date__gte=alert.start_date)
        .order_by("-origin")
        .values_list("origin", flat=True)
        .first()
    )
    band = {"x": [], "y": [], "low": [], "high": [], "source": ""}
    if origin is not None:
        rows = Forecast.objects.filter(**series, origin=origin, date__range=(start, end))
        for day, value, low, high in rows.order_by("date").values_list(
            "date", "forecast", "p10", "p90"
        ):
            band["x"].append(_day(day))
            band["y"].append(value)
            band["low"].append(low)
            band["high"].append(high)
        band["source"] = f"Forecast made on {origin:%d %b %Y} (p10–p90)"
        return band
    points = (
        BacktestPoint.objects.filter(**series, date__range=(start, end), lead=1)
        .order_by("date")
        .values_list("date", "forecast")
    )
    for day, value in points:
        band["x"].append(_day(day))
        band["y"].append(value)
    if band["x"]:
        band["source"] = "Backtest (one day ahead)"
    return band


def _promotions(alert: Alert, start: dt.date, end: dt.date) -> list[dict]:
    store = Q(store__isnull=True) | Q(store_id=alert.store_id)
    sku = Q(sku__isnull=True) | Q(sku_id=alert.sku_id)
    rows = Promotion.objects.filter(store, sku, start_date__lte=end, end_date__gte=start)
    return [
        {
            "name": promo.name or promo.code,
            "start": _day(promo.start_date),
            "end": _day(promo.end_date),
            "detail": f"{promo.discount_pct:g} % off" if promo.discount_pct else promo.mechanic,
        }
        for promo in rows.order_by("start_date")[:50]
    ]


def _calendar_events(alert: Alert, start: dt.date, end: dt.date) -> list[dict]:
    place = (
        Q(region__isnull=True, store__isnull=True)
        | Q(store_id=alert.store_id)
        | Q(store__isnull=True, region_id=alert.store.region_id)
    )
    rows = CalendarEvent.objects.filter(place, date__range=(start, end)).order_by("date")[:100]
    return [
        {"date": _day(event.date), "name": event.name, "type": event.event_type} for event in rows
    ]


# --- the dashboard -------------------------------------------------------------------------


def _week(first_day: dt.date) -> str:
    """A week keyed by its first day, labelled by its last: the company's week end date."""
    return (first_day + dt.timedelta(days=6)).isoformat()


def precision(confirmed: int, dismissed: int) -> float | None:
    """Confirmed / (confirmed + dismissed); ``None`` before any verdict."""
    judged = confirmed + dismissed
    return confirmed / judged if judged else None


def dashboard_figures(scope: Scope) -> dict:
    """Counts of alerts by week (of the event) and kind, and by week and severity; verdict
    precision by week of the verdict and overall; the median time from alert to verdict.

    Weeks are the company's (``Company.week_ends_on``), labelled by their last day. Counts
    and charts are of the inbox, as operators see it; alerts held back by the budget or the
    minimum severity are counted apart, and a verdict on one still counts for precision."""
    first_weekday = week_start_weekday()
    alerts = Alert.objects.visible_to(scope)
    inbox = alerts.in_inbox()
    event_week = WeekStart("start_date", first_weekday=first_weekday)
    by_kind = inbox.annotate(week=event_week).values("week", "kind")
    by_kind = by_kind.annotate(n=Count("id")).order_by("week")
    by_severity = inbox.annotate(week=event_week).values("week", "severity")
    by_severity = by_severity.annotate(n=Count("id")).order_by("week")
    closed = alerts.filter(status__in=[AlertStatus.CONFIRMED, AlertStatus.DISMISSED])
    verdict_week = WeekStart(TruncDate("closed_at"), first_weekday=first_weekday)
    verdicts = (
        closed.annotate(week=verdict_week)
        .values("week", "status")
        .annotate(n=Count("id"))
        .order_by("week")
    )
    totals = {row["status"]: row["n"] for row in inbox.values("status").annotate(n=Count("id"))}
    judged = {row["status"]: row["n"] for row in closed.values("status").annotate(n=Count("id"))}
    confirmed = judged.get(AlertStatus.CONFIRMED, 0)
    dismissed = judged.get(AlertStatus.DISMISSED, 0)
    durations = [
        (closed_at - created_at).total_seconds() / 3600
        for closed_at, created_at in closed.exclude(closed_at__isnull=True).values_list(
            "closed_at", "created_at"
        )
    ]
    weekly_verdicts: dict[str, dict[str, int]] = defaultdict(lambda: {"c": 0, "d": 0})
    for row in verdicts:
        if row["week"] is None:
            continue
        key = "c" if row["status"] == AlertStatus.CONFIRMED else "d"
        weekly_verdicts[_week(row["week"])][key] += row["n"]
    precision_weeks = sorted(weekly_verdicts)
    return {
        "total": sum(totals.values()),
        "open": totals.get(AlertStatus.NEW, 0) + totals.get(AlertStatus.ACKNOWLEDGED, 0),
        "confirmed": confirmed,
        "dismissed": dismissed,
        "held_back": alerts.filter(suppressed=True).count(),
        "precision": precision(confirmed, dismissed),
        "target": PRECISION_TARGET,
        "median_hours_to_verdict": statistics.median(durations) if durations else None,
        "median_days_to_verdict": statistics.median(durations) / 24 if durations else None,
        "by_kind": _pivot(by_kind, "kind", dict(AlertKind.choices)),
        "by_severity": _pivot(by_severity, "severity", dict(Severity.choices)),
        "precision_by_week": {
            "x": precision_weeks,
            "y": [
                precision(weekly_verdicts[w]["c"], weekly_verdicts[w]["d"]) for w in precision_weeks
            ],
            "judged": [weekly_verdicts[w]["c"] + weekly_verdicts[w]["d"] for w in precision_weeks],
        },
    }


def _pivot(rows, field: str, labels: dict) -> dict:
    """Weekly counts as Plotly traces: one trace per value of ``field``, over every week."""
    weeks = sorted({_week(row["week"]) for row in rows})
    counts: dict[object, dict[str, int]] = defaultdict(dict)
    for row in rows:
        counts[row[field]][_week(row["week"])] = row["n"]
    traces = [
        {"name": str(labels.get(value, value)), "y": [counts[value].get(w, 0) for w in weeks]}
        for value in labels
        if value in counts
    ]
    return {"x": weeks, "traces": traces}


def kind_breakdown(scope: Scope) -> list[dict]:
    """Per kind: alerts, confirmed, dismissed and the precision of the kind's verdicts."""
    rows = (
        Alert.objects.visible_to(scope)
        .values("kind")
        .annotate(
            n=Count("id"),
            confirmed=Count("id", filter=Q(status=AlertStatus.CONFIRMED)),
            dismissed=Count("id", filter=Q(status=AlertStatus.DISMISSED)),
        )
        .order_by("-n")
    )
    labels = dict(AlertKind.choices)
    return [
        {
            "kind": labels.get(row["kind"], row["kind"]),
            "n": row["n"],
            "confirmed": row["confirmed"],
            "dismissed": row["dismissed"],
            "precision": precision(row["confirmed"], row["dismissed"]),
        }
        for row in rows
    ]


# --- notifications -------------------------------------------------------------------------


def notifications_for(user, scope: Scope) -> QuerySet[AlertNotification]:
    """The user's alert notifications, newest first, with the alert's names; only alerts
    still in the user's scope (a scope narrowed since is respected)."""
    visible = Alert.objects.visible_to(scope)
    return (
        AlertNotification.objects.filter(user=user, alert__in=visible)
        .select_related("alert", "alert__store", "alert__sku", "alert__warehouse")
        .order_by(F("read_at").asc(nulls_first=True), "-created_at")
    )


def unread_alert_notifications(user, scope: Scope) -> int:
    """Unread notifications of alerts still in ``scope`` (the user's): what the list shows."""
    return AlertNotification.objects.filter(
        user=user, read_at__isnull=True, alert__in=Alert.objects.visible_to(scope)
    ).count()
