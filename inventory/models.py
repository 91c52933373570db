"""Inventory policies, replenishment plans and the planner's decisions on them.

An ``InventoryPlanRun`` (a job's result) computes, per location × SKU, a policy from the
forecast's error distribution over the lead time, and optionally solves an order plan under
budget and capacity; the plan's lines are ``Recommendation`` rows a planner accepts, edits or
rejects. Every service level is stated as what it is: a cycle service level (the chance of
no stock-out in a replenishment cycle) or a fill rate (the share of demand served from stock).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.scoping import Scope, require_scope
from history.models import LocatedQuerySet
from jobs.models import WorkChunk
from masterdata.models import SKU, Category, OneRow, Store, Warehouse


class TargetKind(models.TextChoices):
    CYCLE_SERVICE_LEVEL = "csl", "Cycle service level"
    FILL_RATE = "fill_rate", "Fill rate"


class PolicyType(models.TextChoices):
    REORDER_POINT_QUANTITY = "rQ", "(r, Q): reorder point, fixed quantity"
    MIN_MAX = "sS", "(s, S): reorder point, order up to"
    BASE_STOCK = "base_stock", "Base stock (order up to every review)"


class InventorySettings(OneRow):
    """The company's inventory rules, one row; categories may override the service target."""

    target_kind = models.CharField(
        max_length=10, choices=TargetKind.choices, default=TargetKind.CYCLE_SERVICE_LEVEL
    )
    target = models.FloatField(default=0.95, help_text="Between 0.5 and 0.999.")
    holding_rate_per_year = models.FloatField(
        default=0.25, help_text="Holding cost per year as a share of unit cost."
    )
    order_cost = models.FloatField(default=25.0, help_text="Fixed cost per order line.")
    shortage_cost_share = models.FloatField(
        default=1.0, help_text="Lost margin per unit short, as a share of the unit price."
    )
    transport_cost_per_unit = models.FloatField(default=0.05)
    review_days = models.PositiveIntegerField(default=1, help_text="Days between order reviews.")
    excess_cover_days = models.PositiveIntegerField(
        default=28, help_text="Stock beyond this many days of forecast demand is excess."
    )
    horizon_days = models.PositiveIntegerField(default=28, help_text="Order plan horizon.")
    budget_per_week = models.FloatField(
        null=True,
        blank=True,
        help_text="Most spent on orders per week, in currency (none: no cap).",
    )

    class Meta:
        verbose_name_plural = "inventory settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(target__gte=0.5, target__lte=0.999), name="inventory_target_range"
            ),
        ]


class CategoryServiceTarget(models.Model):
    """A category's own service target (e.g. 0.98 for staples), overriding the company's."""

    category = models.OneToOneField(Category, on_delete=models.CASCADE, related_name="+")
    target_kind = models.CharField(max_length=10, choices=TargetKind.choices)
    target = models.FloatField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(target__gte=0.5, target__lte=0.999),
                name="category_target_range",
            ),
        ]


class StorageCapacityQuerySet(models.QuerySet):
    """A capacity is in scope with its store's or warehouse's region (it holds no SKU)."""

    def visible_to(self, scope: Scope) -> models.QuerySet:
        scope = require_scope(scope)
        if scope.is_nothing:
            return self.none()
        if not scope.is_region_scoped:
            return self.all()
        return self.filter(
            (Q(store__isnull=False) & scope.q(region="store__region"))
            | (Q(store__isnull=True) & scope.q(region="warehouse__region"))
        )


class StorageCapacity(models.Model):
    """How many units a store or a warehouse can hold: a constraint of the order plan."""

    store = models.OneToOneField(
        Store, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    warehouse = models.OneToOneField(
        Warehouse, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    capacity_units = models.PositiveIntegerField()

    objects = StorageCapacityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "storage capacities"
        constraints = [
            models.CheckConstraint(
                condition=Q(store__isnull=False, warehouse__isnull=True)
                | Q(store__isnull=True, warehouse__isnull=False),
                name="capacity_one_location",
            ),
        ]


class PlanStatus(models.TextChoices):
    POLICIES = "policies", "Policies only"
    OPTIMAL = "optimal", "Optimal"
    FEASIBLE = "feasible", "Feasible (optimality not proven: see the gap)"
    INFEASIBLE = "infeasible", "Infeasible"


class InventoryPlanRun(models.Model):
    """One planning run: the policies it set and the order plan it solved."""

    job = models.OneToOneField(
        "jobs.JobRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    origin = models.DateField(help_text="Last day of actual stock the plan starts from.")
    horizon_days = models.PositiveIntegerField()
    target_kind = models.CharField(max_length=10, choices=TargetKind.choices)
    target = models.FloatField()
    status = models.CharField(max_length=10, choices=PlanStatus.choices)
    solver = models.CharField(max_length=20, blank=True)
    solve_seconds = models.FloatField(null=True, blank=True)
    mip_gap = models.FloatField(null=True, blank=True, help_text="Optimality gap reached.")
    objective = models.FloatField(null=True, blank=True, help_text="Plan cost, in currency.")
    explanation = models.TextField(
        blank=True, help_text="Why a plan is infeasible: the binding constraint and by how much."
    )
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]


class InventoryPlanChunk(WorkChunk):
    """A slice of the SKUs of one policies-only run. A chunk holds whole SKUs: a warehouse's
    demand sums its stores' series of the same SKU, and lead times pool over a SKU's
    locations, so every chunk computes exactly what one pass over all series would."""

    run = models.ForeignKey(InventoryPlanRun, on_delete=models.CASCADE, related_name="chunks")
    sku_ids = models.JSONField()

    class Meta(WorkChunk.Meta):
        constraints = [
            models.UniqueConstraint(fields=["run", "index"], name="inventory_chunk_unique_index")
        ]


class InventoryPolicy(models.Model):
    """The current policy of one store × SKU or warehouse × SKU, and how it was derived."""

    run = models.ForeignKey(InventoryPlanRun, on_delete=models.CASCADE, related_name="policies")
    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    sku = models.ForeignKey(SKU, on_delete=models.CASCADE, related_name="+")
    policy_type = models.CharField(max_length=10, choices=PolicyType.choices)
    target_kind = models.CharField(max_length=10, choices=TargetKind.choices)
    target = models.FloatField()
    demand_per_day = models.FloatField(help_text="Mean forecast demand, units per day.")
    demand_sd_lead_time = models.FloatField(
        help_text="Standard deviation of demand over the lead time plus review, in units."
    )
    lead_time_days = models.FloatField(help_text="Mean lead time measured from receipts.")
    lead_time_sd_days = models.FloatField(default=0)
    safety_stock = models.FloatField()
    reorder_point = models.FloatField()
    order_up_to = models.FloatField(null=True, blank=True)
    order_quantity = models.FloatField(null=True, blank=True)
    expected_csl = models.FloatField(null=True, blank=True)
    expected_fill_rate = models.FloatField(null=True, blank=True)
    on_hand = models.FloatField(default=0)
    on_order = models.FloatField(default=0)
    explanation = models.JSONField(
        default=dict, blank=True, help_text="The working: inputs and steps, shown on the page."
    )

    objects = LocatedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(store__isnull=False, warehouse__isnull=True)
                | Q(store__isnull=True, warehouse__isnull=False),
                name="policy_one_location",
            ),
            models.UniqueConstraint(
                fields=["store", "sku"],
                condition=Q(store__isnull=False),
                name="policy_one_per_store_sku",
            ),
            models.UniqueConstraint(
                fields=["warehouse", "sku"],
                condition=Q(warehouse__isnull=False),
                name="policy_one_per_warehouse_sku",
            ),
        ]


class RecommendationStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    EDITED = "edited", "Accepted with changes"
    REJECTED = "rejected", "Rejected"


class Recommendation(models.Model):
    """Order what, where and when, and why in plain words; the planner decides."""

    run = models.ForeignKey(
        InventoryPlanRun, on_delete=models.CASCADE, related_name="recommendations"
    )
    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    source_warehouse = models.ForeignKey(
        Warehouse,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Where a store's order ships from; empty for a supplier order.",
    )
    sku = models.ForeignKey(SKU, on_delete=models.CASCADE, related_name="+")
    order_date = models.DateField()
    arrival_date = models.DateField()
    quantity = models.FloatField(help_text="Recommended units (whole cases, at least the MOQ).")
    final_quantity = models.FloatField(
        null=True, blank=True, help_text="What the planner approved, if it differs."
    )
    reason = models.CharField(max_length=400)
    cost = models.FloatField(default=0, help_text="Purchase plus transport, in currency.")
    status = models.CharField(
        max_length=10, choices=RecommendationStatus.choices, default=RecommendationStatus.PROPOSED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Optimistic lock for edits.")

    objects = LocatedQuerySet.as_manager()

    class Meta:
        ordering = ["order_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(store__isnull=False, warehouse__isnull=True)
                | Q(store__isnull=True, warehouse__isnull=False),
                name="recommendation_one_location",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="recommendation_qty"),
            models.CheckConstraint(
                condition=Q(final_quantity__isnull=True) | Q(final_quantity__gte=0),
                name="recommendation_final_qty",
            ),
            models.CheckConstraint(
                condition=Q(arrival_date__gte=models.F("order_date")),
                name="recommendation_arrives_after_order",
            ),
        ]
        indexes = [models.Index(fields=["status", "order_date"], name="recommendation_status_idx")]
