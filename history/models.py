"""Time-series facts, written in bulk by imports and the demo loader, read back as frames.

Quantities and values are floats: these are analytical facts fed to numeric engines, not a
ledger, and the engines work in floating point anyway.
"""

from django.db import models
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from accounts.scoping import Scope, require_scope
from masterdata.models import SKU, Region, Store, StoreSKUQuerySet, Warehouse


def _scope_key() -> tuple[Coalesce, Coalesce]:
    """Region and store as a unique key where "no region/store" (company-wide) is one value.

    NULLs are distinct in SQL unique indexes, so they are folded to 0 on both PostgreSQL and
    SQLite (``nulls_distinct`` exists only on PostgreSQL 15+).
    """
    return Coalesce(F("region"), Value(0)), Coalesce(F("store"), Value(0))


class LocatedQuerySet(QuerySet):
    """Rows at a store or at a warehouse: the location and the SKU must both be in scope."""

    def visible_to(self, scope: Scope) -> QuerySet:
        scope = require_scope(scope)
        if scope.is_nothing:
            return self.none()
        at_store = Q(store__isnull=False) & scope.q(region="store__region")
        at_warehouse = Q(store__isnull=True, warehouse__in=Warehouse.objects.visible_to(scope))
        located = (at_store | at_warehouse) if scope.is_region_scoped else Q()
        return self.filter(located & scope.q(category="sku__category"))


class PromotionQuerySet(QuerySet):
    """A promotion for every store (or SKU) is visible wherever the other key is in scope."""

    def visible_to(self, scope: Scope) -> QuerySet:
        scope = require_scope(scope)
        if scope.is_nothing:
            return self.none()
        return self.filter(scope.q_or_unkeyed(region="store__region", category="sku__category"))


class PlaceQuerySet(QuerySet):
    """Events and indicators of the whole company, of a region or of one store."""

    def visible_to(self, scope: Scope) -> QuerySet:
        scope = require_scope(scope)
        if scope.is_nothing:
            return self.none()
        if not scope.is_region_scoped:
            return self.all()
        company = Q(region__isnull=True, store__isnull=True)
        region = Q(region__isnull=False) & scope.q(region="region")
        store = Q(store__isnull=False) & scope.q(region="store__region")
        return self.filter(company | region | store)


class Grain(models.TextChoices):
    DAY = "D", "Daily"
    WEEK = "W", "Weekly"


class StoreRowQuerySet(QuerySet):
    """Rows of one store (closures, missing periods): in scope with their store's region.

    They hold no SKU, so a category scope does not narrow them: every planner of the store
    needs to know it was closed or did not report.
    """

    def visible_to(self, scope: Scope) -> QuerySet:
        scope = require_scope(scope)
        if scope.is_nothing:
            return self.none()
        return self.filter(scope.q(region="store__region"))


class SalesFact(models.Model):
    """Sales of one SKU in one store in one period (a day, or a week for weekly sources).

    ``quantity`` is units sold and never negative. ``revenue`` is the net sales value and may
    be negative (returns exceeding sales, as in Walmart's ``Weekly_Sales``); some sources only
    have the value, so both are optional but not both empty.
    """

    # The unique (store, sku, date) index serves store look-ups and (sku, date) serves SKU
    # look-ups; single-column FK indexes would only slow the bulk loads.
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+", db_index=False)
    sku = models.ForeignKey(SKU, on_delete=models.CASCADE, related_name="+", db_index=False)
    date = models.DateField()
    grain = models.CharField(max_length=1, choices=Grain.choices, default=Grain.DAY)
    quantity = models.FloatField(null=True, blank=True)
    revenue = models.FloatField(null=True, blank=True)
    price = models.FloatField(null=True, blank=True)
    on_promotion = models.BooleanField(default=False)

    objects = StoreSKUQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "sku", "date"], name="sales_one_per_day"),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(quantity__gte=0),
                name="sales_qty_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0), name="sales_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=False) | Q(revenue__isnull=False),
                name="sales_has_quantity_or_value",
            ),
        ]
        indexes = [
            models.Index(fields=["sku", "date"], name="sales_sku_date_idx"),
            models.Index(fields=["date"], name="sales_date_idx"),
        ]


class InventorySnapshot(models.Model):
    """Stock of one SKU at one location (a store or a warehouse) at the end of a day."""

    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    sku = models.ForeignKey(SKU, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    on_hand = models.FloatField()
    on_order = models.FloatField(default=0)

    objects = LocatedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(store__isnull=False, warehouse__isnull=True)
                | Q(store__isnull=True, warehouse__isnull=False),
                name="inventory_one_location",
            ),
            models.UniqueConstraint(
                fields=["store", "sku", "date"],
                condition=Q(store__isnull=False),
                name="inventory_one_per_store_day",
            ),
            models.UniqueConstraint(
                fields=["warehouse", "sku", "date"],
                condition=Q(warehouse__isnull=False),
                name="inventory_one_per_warehouse_day",
            ),
            models.CheckConstraint(
                condition=Q(on_hand__gte=0), name="inventory_on_hand_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(on_order__gte=0), name="inventory_on_order_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["sku", "date"], name="inventory_sku_date_idx")]


class SupplyOrder(models.Model):
    """A replenishment order and its receipt: the source of actual lead times and delays."""

    order_ref = models.CharField(max_length=64, unique=True)
    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    sku = models.ForeignKey(SKU, on_delete=models.CASCADE, related_name="+")
    ordered_on = models.DateField()
    promised_on = models.DateField()
    received_on = models.DateField(null=True, blank=True)
    quantity_ordered = models.FloatField()
    quantity_received = models.FloatField(null=True, blank=True)

    objects = LocatedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(store__isnull=False, warehouse__isnull=True)
                | Q(store__isnull=True, warehouse__isnull=False),
                name="supply_order_one_destination",
            ),
            models.CheckConstraint(
                condition=Q(promised_on__gte=F("ordered_on")), name="supply_promised_after_order"
            ),
            models.CheckConstraint(
                condition=Q(received_on__isnull=True) | Q(received_on__gte=F("ordered_on")),
                name="supply_received_after_order",
            ),
            models.CheckConstraint(condition=Q(quantity_ordered__gt=0), name="supply_qty_positive"),
            models.CheckConstraint(
                condition=Q(quantity_received__isnull=True) | Q(quantity_received__gte=0),
                name="supply_received_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["sku", "ordered_on"], name="supply_sku_ordered_idx")]


class Promotion(models.Model):
    """A promotion for one SKU (or all) in one store (or all) over a date range."""

    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200, blank=True)
    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    sku = models.ForeignKey(SKU, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    start_date = models.DateField()
    end_date = models.DateField()
    mechanic = models.CharField(max_length=40, blank=True)
    discount_pct = models.FloatField(null=True, blank=True)
    value = models.FloatField(
        null=True, blank=True, help_text="Markdown or budget amount, if known."
    )

    objects = PromotionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="promotion_valid_range"
            ),
            models.CheckConstraint(
                condition=Q(discount_pct__isnull=True)
                | (Q(discount_pct__gte=0) & Q(discount_pct__lte=100)),
                name="promotion_discount_pct_range",
            ),
        ]
        indexes = [models.Index(fields=["start_date", "end_date"], name="promotion_dates_idx")]


class CalendarEvent(models.Model):
    """A holiday or event; without region or store it applies to the whole company."""

    date = models.DateField()
    name = models.CharField(max_length=120)
    event_type = models.CharField(max_length=40, blank=True)
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    objects = PlaceQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                F("date"), F("name"), *_scope_key(), name="event_unique_per_scope"
            ),
        ]


class Indicator(models.Model):
    """An external indicator (weather, CPI, fuel price, unemployment...) for a place and date."""

    name = models.CharField(max_length=60)
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    date = models.DateField()
    value = models.FloatField()

    objects = PlaceQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                F("name"), F("date"), *_scope_key(), name="indicator_unique_per_scope"
            ),
        ]


class StoreClosure(models.Model):
    """Days a store was (or will be) closed, ``start_date`` to ``end_date`` inclusive.

    Sales of closed days are not demand: the forecast reads them as missing, not as zero
    (``forecasting.history_frames``), and accuracy does not score them.
    """

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+", db_index=False)
    start_date = models.DateField()
    end_date = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    objects = StoreRowQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "start_date"], name="closure_one_per_start"),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="closure_valid_range"
            ),
        ]


class MissingPeriod(models.Model):
    """A period (a day, or a week as the source dates it) in which a store reported no sales
    at all, recorded by the import that found it (``imports.gaps``).

    Unrecorded is not zero: the forecast reads the store's series as missing that period.
    The row goes when sales for the store and period arrive, or when an import says its
    gaps are zero sales (``--gaps zero``).
    """

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+", db_index=False)
    date = models.DateField()
    grain = models.CharField(max_length=1, choices=Grain.choices, default=Grain.DAY)

    objects = StoreRowQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["store", "grain", "date"], name="missing_period_one_per_store"
            ),
        ]


class AnomalyLabel(models.Model):
    """Ground truth of a known anomaly (injected by the demo generator or labelled by a user).

    Detectors are scored against these labels.
    """

    kind = models.CharField(max_length=40)
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    sku = models.ForeignKey(SKU, on_delete=models.CASCADE, related_name="+")
    start_date = models.DateField()
    end_date = models.DateField()
    magnitude = models.FloatField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=20, default="demo")

    objects = StoreSKUQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="anomaly_label_valid_range"
            ),
        ]
