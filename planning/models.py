"""The monthly S&OP cycle and the plan it agrees.

A ``PlanningCycle`` moves through its stages as a guarded state machine (django-fsm-2: the
stage cannot be assigned, only transitioned, and two people advancing the same cycle at once
cannot both succeed); every move is kept as a ``StageTransition`` with who, when and why.
The plan itself is a ``PlanVersion`` of ``PlanLine`` rows (store × SKU × week): statistical →
planner-adjusted → consensus → approved. Planners change lines through ``Override`` records,
which keep who changed what, at which level, by how much and why. ``Submission`` rows carry a
scope's plan through the reviews; nobody reviews their own.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from accounts.scoping import Scope, require_scope
from masterdata.models import SKU, Category, Region, Store, StoreSKUQuerySet


class Stage(models.TextChoices):
    DATA_GATHERING = "data_gathering", "Data gathering"
    STATISTICAL_FORECAST = "statistical_forecast", "Statistical forecast"
    DEMAND_REVIEW = "demand_review", "Demand review"
    SUPPLY_REVIEW = "supply_review", "Supply review"
    CONSENSUS = "consensus", "Consensus meeting"
    SIGN_OFF = "sign_off", "Executive sign-off"
    LOCKED = "locked", "Locked"


STAGE_SEQUENCE = tuple(Stage)


class PlanningCycle(ConcurrentTransitionMixin, models.Model):
    """One month's plan: where it stands and what it covers.

    The transitions below only move the stage; what must hold before a move (every scope
    submitted, reviews approved) is checked by ``planning.services`` before calling them.
    """

    month = models.DateField(unique=True, help_text="The first day of the month planned.")
    name = models.CharField(max_length=120)
    stage = FSMField(default=Stage.DATA_GATHERING, choices=Stage.choices, protected=True)
    first_week = models.DateField(help_text="The last day of the first week planned.")
    horizon_weeks = models.PositiveIntegerField(default=13)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-month"]

    def __str__(self) -> str:
        return self.name

    @transition(field=stage, source=Stage.DATA_GATHERING, target=Stage.STATISTICAL_FORECAST)
    def start_forecast(self) -> None:
        """The month's actuals are in: the statistical forecast is taken as the first version."""

    @transition(field=stage, source=Stage.STATISTICAL_FORECAST, target=Stage.DEMAND_REVIEW)
    def open_demand_review(self) -> None:
        """Planners may now override their scope's lines."""

    @transition(field=stage, source=Stage.DEMAND_REVIEW, target=Stage.SUPPLY_REVIEW)
    def close_demand_review(self) -> None:
        """Every scope's demand plan is approved: supply checks it."""

    @transition(field=stage, source=Stage.SUPPLY_REVIEW, target=Stage.CONSENSUS)
    def close_supply_review(self) -> None:
        """Supply approved the plan: the meeting agrees the consensus."""

    @transition(field=stage, source=Stage.CONSENSUS, target=Stage.SIGN_OFF)
    def agree_consensus(self) -> None:
        """The meeting agreed a version: an executive signs it off."""

    @transition(field=stage, source=Stage.SIGN_OFF, target=Stage.LOCKED)
    def sign_off(self) -> None:
        """Signed off: the approved version is read-only and drives replenishment."""

    @transition(
        field=stage,
        source=[Stage.SUPPLY_REVIEW, Stage.CONSENSUS, Stage.SIGN_OFF, Stage.LOCKED],
        target=Stage.DEMAND_REVIEW,
    )
    def reopen(self) -> None:
        """A change after approval: a new version goes through the reviews again."""


class StageDeadline(models.Model):
    """Who owns a stage of a cycle and when it is due."""

    cycle = models.ForeignKey(PlanningCycle, on_delete=models.CASCADE, related_name="deadlines")
    stage = models.CharField(max_length=24, choices=Stage.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField()

    class Meta:
        ordering = ["due_on"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "stage"], name="deadline_one_per_stage")
        ]


class StageTransition(models.Model):
    """A move of a cycle from one stage to another: who, when and why."""

    cycle = models.ForeignKey(PlanningCycle, on_delete=models.CASCADE, related_name="transitions")
    source = models.CharField(max_length=24, choices=Stage.choices)
    target = models.CharField(max_length=24, choices=Stage.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    by_name = models.CharField(max_length=150)
    at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]


class VersionKind(models.TextChoices):
    STATISTICAL = "statistical", "Statistical forecast"
    ADJUSTED = "adjusted", "Planner-adjusted"
    CONSENSUS = "consensus", "Consensus"
    APPROVED = "approved", "Approved"


class PlanVersion(models.Model):
    """A numbered version of a cycle's plan; statistical and approved versions are read-only."""

    cycle = models.ForeignKey(PlanningCycle, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=VersionKind.choices)
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    read_only = models.BooleanField(default=False)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["cycle", "number"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "number"], name="version_number_per_cycle")
        ]

    def __str__(self) -> str:
        return f"v{self.number} {self.get_kind_display()}"


class PlanLine(models.Model):
    """The plan of one store × SKU × week in one version, beside what it started from."""

    plan_version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="lines")
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+", db_index=False)
    sku = models.ForeignKey(SKU, on_delete=models.CASCADE, related_name="+", db_index=False)
    week = models.DateField(help_text="The last day of the week (the company's week).")
    statistical = models.FloatField(help_text="The statistical forecast, units.")
    last_year = models.FloatField(null=True, blank=True, help_text="Sales a year earlier, units.")
    quantity = models.FloatField(help_text="The plan, units.")
    edit_version = models.PositiveIntegerField(default=1, help_text="Optimistic lock for edits.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    objects = StoreSKUQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan_version", "store", "sku", "week"], name="plan_line_unique"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="plan_line_not_negative"),
        ]
        indexes = [models.Index(fields=["plan_version", "week"], name="plan_line_week_idx")]


class OverrideReason(models.TextChoices):
    NEW_LISTING = "new_listing", "New listing"
    PROMOTION = "promotion", "Promotion"
    COMPETITOR = "competitor", "Competitor"
    EVENT = "event", "Event"
    DATA_ERROR = "data_error", "Data error"
    OTHER = "other", "Other"


class OverrideLevel(models.TextChoices):
    LINE = "line", "Store × SKU"
    CATEGORY = "category", "Category"
    REGION = "region", "Region"
    CATEGORY_REGION = "category_region", "Category in a region"


class OverrideQuerySet(models.QuerySet):
    """An override is in scope when the place and the goods it names are; an axis it does
    not name (a category across all regions) does not narrow it."""

    def visible_to(self, scope: Scope) -> models.QuerySet:
        scope = require_scope(scope)
        if scope.is_nothing:
            return self.none()
        place = (
            Q(store__isnull=True, region__isnull=True)
            | (Q(store__isnull=False) & scope.q(region="store__region"))
            | (Q(store__isnull=True, region__isnull=False) & scope.q(region="region"))
        )
        goods = (
            Q(sku__isnull=True, category__isnull=True)
            | (Q(sku__isnull=False) & scope.q(category="sku__category"))
            | (Q(sku__isnull=True, category__isnull=False) & scope.q(category="category"))
        )
        return self.filter(place & goods)


class Override(models.Model):
    """A planner's change of a week's plan at some level, spread to the lines below it."""

    plan_version = models.ForeignKey(
        PlanVersion, on_delete=models.CASCADE, related_name="overrides"
    )
    level = models.CharField(max_length=16, choices=OverrideLevel.choices)
    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    sku = models.ForeignKey(SKU, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    week = models.DateField()
    before = models.FloatField(help_text="The level's plan before the change, units.")
    after = models.FloatField(help_text="The level's plan after the change, units.")
    lines_changed = models.PositiveIntegerField(default=0)
    reason = models.CharField(max_length=16, choices=OverrideReason.choices)
    comment = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_by_name = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OverrideQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(after__gte=0), name="override_not_negative"),
        ]


class OverrideLine(models.Model):
    """Which lines an override changed and from what: the basis of value added by planner
    and by reason."""

    override = models.ForeignKey(Override, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(PlanLine, on_delete=models.CASCADE, related_name="+")
    before = models.FloatField()
    after = models.FloatField()


class ReviewStage(models.TextChoices):
    DEMAND = "demand_review", "Demand review"
    SUPPLY = "supply_review", "Supply review"
    SIGN_OFF = "sign_off", "Executive sign-off"


class SubmissionStatus(models.TextChoices):
    SUBMITTED = "submitted", "Waiting for review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Submission(models.Model):
    """A plan put forward for review at one stage: a planner's scope in the demand review,
    the whole plan in the supply review and the sign-off."""

    cycle = models.ForeignKey(PlanningCycle, on_delete=models.CASCADE, related_name="submissions")
    plan_version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=16, choices=ReviewStage.choices)
    scope_label = models.CharField(max_length=300, help_text="What the submission covers.")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.SUBMITTED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    comment = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reviewed_by__isnull=True)
                | Q(submitted_by__isnull=True)
                | ~Q(reviewed_by=F("submitted_by")),
                name="submission_not_reviewed_by_submitter",
            ),
        ]


class ScenarioStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    COMPUTING = "computing", "Computing"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class Scenario(models.Model):
    """A named what-if beside the baseline: demand uplifts or cuts, a promotion, a lead-time,
    budget or capacity change, with its consequences once computed."""

    cycle = models.ForeignKey(PlanningCycle, on_delete=models.CASCADE, related_name="scenarios")
    name = models.CharField(max_length=120)
    changes = models.JSONField(default=list, help_text="The what-if changes, validated.")
    status = models.CharField(
        max_length=10, choices=ScenarioStatus.choices, default=ScenarioStatus.DRAFT
    )
    results = models.JSONField(default=dict, blank=True, help_text="Its consequences.")
    chosen = models.BooleanField(default=False, help_text="Picked by the meeting as consensus.")
    job = models.OneToOneField(
        "jobs.JobRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cycle", "name"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "name"], name="scenario_name_per_cycle"),
            models.UniqueConstraint(
                fields=["cycle"], condition=Q(chosen=True), name="scenario_one_chosen"
            ),
        ]
