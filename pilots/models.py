"""Pilots of stores: their design, the stores' groups and the KPIs they are judged on.

A store is in at most one active pilot at a time, and the database itself says so (an
exclusion constraint on PostgreSQL, triggers on SQLite; see migration 0002), not only a form.
Once a pilot starts its assignment is locked: the groups are what the analysis assumes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from accounts.models import Role
from accounts.scoping import Scope, ScopedQuerySet, require_scope
from history.models import StoreRowQuerySet
from masterdata.models import Store


class PilotStatus(models.TextChoices):
    DRAFT = "draft", "Being designed"
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"
    CANCELLED = "cancelled", "Cancelled"


class Design(models.TextChoices):
    MANUAL = "manual", "By hand"
    RANDOM = "random", "Completely at random"
    STRATIFIED = "stratified", "Stratified"
    MATCHED_PAIRS = "matched_pairs", "Matched pairs"


class Kpi(models.TextChoices):
    MAPE = "mape", "Forecast error (MAPE, non-zero days)"
    WAPE = "wape", "Forecast error (WAPE)"
    CYCLE_SERVICE_LEVEL = "cycle_service_level", "Cycle service level"
    FILL_RATE = "fill_rate", "Fill rate"
    EXCESS_STOCK = "excess_stock", "Excess stock (% of stock value)"
    STOCKOUTS = "stockouts", "Stock-out days"
    TURNOVER = "turnover", "Stock turnover"
    COST = "cost", "Inventory and logistics cost"
    ALERTS_CONFIRMED = "alerts_confirmed", "Alerts confirmed by operators"


# The seed's success criteria, as relative changes of experimental against control (the
# confirmed-alerts KPI is an absolute share).
DEFAULT_THRESHOLDS = {
    Kpi.MAPE: -0.10,
    Kpi.CYCLE_SERVICE_LEVEL: 0.05,
    Kpi.EXCESS_STOCK: -0.10,
    Kpi.ALERTS_CONFIRMED: 0.95,
    Kpi.COST: -0.05,
}
LOWER_IS_BETTER = frozenset({Kpi.MAPE, Kpi.WAPE, Kpi.EXCESS_STOCK, Kpi.STOCKOUTS, Kpi.COST})


# Pilots are company-wide designs whose KPIs pool stores of every region: admins design them
# and executives read them. Pages, exports, the assistant's answers and summaries all ask
# ``Pilot.objects.visible_to(scope)``, so one rule decides who reads a pilot.
PILOT_READER_ROLES = (Role.ADMIN, Role.EXECUTIVE)


class PilotQuerySet(models.QuerySet):
    def visible_to(self, scope: Scope) -> models.QuerySet:
        """Every pilot for the pilot readers (admins, executives, the system); none otherwise."""
        return self if require_scope(scope).may(*PILOT_READER_ROLES) else self.none()


class Pilot(models.Model):
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True, max_length=2000)
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(max_length=10, choices=PilotStatus.choices, default=PilotStatus.DRAFT)
    design = models.CharField(max_length=14, choices=Design.choices, default=Design.STRATIFIED)
    seed = models.PositiveIntegerField(
        null=True, blank=True, help_text="The random seed the assignment was drawn with."
    )
    strata = models.JSONField(
        default=list, blank=True, help_text='What the stores were stratified by, e.g. ["region"].'
    )
    pre_period_weeks = models.PositiveIntegerField(default=26)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Optimistic lock for edits.")

    objects = PilotQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=F("start_date")), name="pilot_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_locked(self) -> bool:
        """Started (or over): the assignment can no longer change."""
        return self.status != PilotStatus.DRAFT


class PilotKpi(models.Model):
    """A KPI the pilot is judged on, with its success threshold."""

    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="kpis")
    kpi = models.CharField(max_length=20, choices=Kpi.choices)
    threshold = models.FloatField(
        help_text="Success: the relative change (experimental against control) to reach."
    )
    primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-primary", "kpi"]
        constraints = [
            models.UniqueConstraint(fields=["pilot", "kpi"], name="pilot_kpi_once"),
            models.UniqueConstraint(
                fields=["pilot"], condition=Q(primary=True), name="pilot_one_primary_kpi"
            ),
        ]


class Group(models.IntegerChoices):
    CONTROL = 0, "Control"
    EXPERIMENTAL = 1, "Experimental"


class PilotStoreQuerySet(ScopedQuerySet):
    region_path = "store__region"


class PilotStore(models.Model):
    """A store's group in a pilot; its dates are the pilot's, copied so the database can
    refuse a store in two overlapping active pilots."""

    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="stores")
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    group = models.PositiveSmallIntegerField(choices=Group.choices)
    block = models.IntegerField(default=0, help_text="The stratum or pair the store was drawn in.")
    start_date = models.DateField()
    end_date = models.DateField()
    active = models.BooleanField(
        default=True, help_text="False once the pilot is cancelled: the store is free again."
    )

    objects = PilotStoreQuerySet.as_manager()

    class Meta:
        ordering = ["pilot", "group", "store__code"]
        constraints = [
            models.UniqueConstraint(fields=["pilot", "store"], name="pilot_store_once"),
            models.CheckConstraint(
                condition=Q(end_date__gt=F("start_date")), name="pilot_store_valid_range"
            ),
        ]


class KpiValue(models.Model):
    """One store's KPI on one day of a pilot (or of its pre-period), computed by the KPI job
    from the same data for both groups; a period's figure is the sum of its numerators over
    the sum of its denominators (``pilots.engine.kpis``)."""

    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="+")
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    kpi = models.CharField(max_length=20, choices=Kpi.choices)
    date = models.DateField()
    numerator = models.FloatField()
    denominator = models.FloatField()

    objects = StoreRowQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pilot", "store", "kpi", "date"], name="kpi_value_once"
            ),
        ]
        indexes = [models.Index(fields=["pilot", "kpi", "date"], name="kpi_value_pilot_idx")]
