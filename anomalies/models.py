"""Alerts raised by anomaly scans, the scans themselves, and what operators did with them.

Detectors (``anomalies.engine``) score; a scan merges consecutive anomalous points into one
event and stores it as an ``Alert``. An operator's verdict (confirmed or dismissed) is the
label the seed counts: the share of alerts confirmed is the detection's precision.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.scoping import Scope, require_scope
from masterdata.models import SKU, OneRow, Store, Warehouse


class AlertKind(models.TextChoices):
    DEMAND_SPIKE = "demand_spike", "Demand spike"
    DEMAND_DROP = "demand_drop", "Demand drop"
    ENTRY_ERROR = "entry_error", "Keying error"
    PEER_OUTLIER = "peer_outlier", "Unlike its peers"
    PHANTOM_INVENTORY = "phantom_inventory", "Phantom inventory"
    STOCK_MOVEMENT = "stock_movement", "Impossible stock movement"
    LATE_DELIVERY = "late_delivery", "Late delivery"
    LEAD_TIME_DRIFT = "lead_time_drift", "Lead-time drift"
    FEED_STOPPED = "feed_stopped", "Feed stopped"
    FEED_THIN = "feed_thin", "Thin feed day"


class Metric(models.TextChoices):
    SALES = "sales", "Sales"
    STOCK = "stock", "Stock"
    SUPPLY = "supply", "Supply"
    FEED = "feed", "Data feed"


class Severity(models.IntegerChoices):
    LOW = 1, "Low"
    MEDIUM = 2, "Medium"
    HIGH = 3, "High"
    CRITICAL = 4, "Critical"


class AlertStatus(models.TextChoices):
    NEW = "new", "New"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    CONFIRMED = "confirmed", "Confirmed"
    DISMISSED = "dismissed", "Dismissed"


CLOSED_STATUSES = (AlertStatus.CONFIRMED, AlertStatus.DISMISSED)


class DismissReason(models.TextChoices):
    EXPLAINED = "explained", "Explained by a known cause (promotion, event, closure)"
    EXPECTED = "expected", "Normal variation"
    DATA_CORRECTED = "data_corrected", "Data already corrected"
    DUPLICATE = "duplicate", "Duplicate of another alert"
    OTHER = "other", "Other"


class ScanMode(models.TextChoices):
    FULL = "full", "Full history"
    INCREMENTAL = "incremental", "New periods after an import"
    SCHEDULED = "scheduled", "Scheduled"


class ScanRun(models.Model):
    """One scan: which periods it covered and what it found (a job's result)."""

    job = models.OneToOneField(
        "jobs.JobRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    mode = models.CharField(max_length=12, choices=ScanMode.choices)
    date_from = models.DateField(help_text="First period scored (earlier ones are context).")
    date_to = models.DateField(help_text="Last period scored.")
    series_scanned = models.PositiveIntegerField(default=0)
    periods_scanned = models.PositiveBigIntegerField(
        default=0, help_text="Series × periods scored: what an incremental scan keeps small."
    )
    alerts_new = models.PositiveIntegerField(default=0)
    alerts_updated = models.PositiveIntegerField(default=0)
    alerts_suppressed = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True, help_text="Counts per detector and kind.")

    class Meta:
        ordering = ["-created_at"]


class AlertQuerySet(models.QuerySet):
    """An alert is in scope with its store (or warehouse) and its SKU.

    Alerts of a store without a SKU (its feed stopped) are seen by every planner of the
    store's region, as closures are; alerts of the whole company (a thin feed day) only by
    company-wide roles.
    """

    def visible_to(self, scope: Scope) -> models.QuerySet:
        scope = require_scope(scope)
        if scope.is_nothing:
            return self.none()
        if scope.is_company_wide:
            return self.all()
        at_store = Q(store__isnull=False) & scope.q(region="store__region")
        at_warehouse = Q(store__isnull=True, warehouse__isnull=False) & scope.q(
            region="warehouse__region"
        )
        return self.filter((at_store | at_warehouse) & scope.q_or_unkeyed(category="sku__category"))

    def open(self) -> models.QuerySet:
        return self.exclude(status__in=CLOSED_STATUSES)

    def in_inbox(self) -> models.QuerySet:
        """What operators work: alerts not held back by the budget or the minimum severity."""
        return self.filter(suppressed=False)


class Alert(models.Model):
    """One anomalous event, explained for an operator, and its verdict."""

    kind = models.CharField(max_length=24, choices=AlertKind.choices)
    metric = models.CharField(max_length=8, choices=Metric.choices)
    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    sku = models.ForeignKey(SKU, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    supplier = models.CharField(max_length=120, blank=True)
    start_date = models.DateField()
    end_date = models.DateField()
    fingerprint = models.CharField(
        max_length=200,
        unique=True,
        help_text="Kind, place, SKU and start: a rescan updates its alert instead of adding one.",
    )

    expected = models.FloatField(null=True, blank=True, help_text="What was expected, in units.")
    actual = models.FloatField(null=True, blank=True, help_text="What happened, in units.")
    expected_low = models.FloatField(null=True, blank=True)
    expected_high = models.FloatField(null=True, blank=True)
    units_at_stake = models.FloatField(default=0)
    value_at_stake = models.FloatField(default=0, help_text="In the company's currency.")
    stockout_risk = models.FloatField(
        null=True, blank=True, help_text="Probability (0–1) the shelf runs empty before cover."
    )
    score = models.FloatField(help_text="The strongest detector's normalised score.")
    severity = models.PositiveSmallIntegerField(choices=Severity.choices)
    detectors = models.JSONField(
        default=list, help_text='Detectors that fired: [{"name", "score", "detail"}].'
    )
    summary = models.CharField(max_length=300, help_text="What happened, in one sentence.")
    suggested_cause = models.CharField(max_length=200, blank=True)
    what_to_check = models.CharField(max_length=300, blank=True)

    suppressed = models.BooleanField(
        default=False, help_text="Held back by the store's alert budget or the minimum severity."
    )
    status = models.CharField(max_length=12, choices=AlertStatus.choices, default=AlertStatus.NEW)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dismiss_reason = models.CharField(max_length=16, choices=DismissReason.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, help_text="Optimistic lock for edits.")
    scan = models.ForeignKey(
        ScanRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-severity", "-start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="alert_valid_range"
            ),
            models.CheckConstraint(
                condition=~Q(status=AlertStatus.DISMISSED) | ~Q(dismiss_reason=""),
                name="alert_dismissed_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "severity"], name="alert_status_severity_idx"),
            models.Index(fields=["store", "start_date"], name="alert_store_start_idx"),
            models.Index(fields=["created_at"], name="alert_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start_date}"


class AlertComment(models.Model):
    """An operator's comment; the author's name is kept as text in case the user goes."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_name = models.CharField(max_length=150)
    text = models.TextField(max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]


class AlertNotification(models.Model):
    """An in-app notice of a new high-severity alert to its owner (or the store's planners)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "alert"], name="notification_one_per_alert")
        ]


class AlertPolicy(OneRow):
    """The company's alerting rules, one row: what reaches the inbox and who is told."""

    min_severity = models.PositiveSmallIntegerField(
        choices=Severity.choices,
        default=Severity.MEDIUM,
        help_text="Alerts below this severity are counted but kept out of the inbox.",
    )
    store_daily_budget = models.PositiveIntegerField(
        default=5, help_text="Most alerts per store per day in the inbox; the rest are counted."
    )
    notify_min_severity = models.PositiveSmallIntegerField(
        choices=Severity.choices,
        default=Severity.HIGH,
        help_text="New alerts at or above this severity notify their owners (app and e-mail).",
    )

    class Meta:
        verbose_name_plural = "alert policy"
