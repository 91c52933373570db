"""Master data of a retailer or distributor: where goods are sold and stocked, and what is sold."""

from __future__ import annotations

from typing import Self

from django.db import models
from django.db.models import Q

from accounts.scoping import ScopedQuerySet


class RegionQuerySet(ScopedQuerySet):
    region_path = "id"


class WarehouseQuerySet(ScopedQuerySet):
    """A warehouse serves its region's stores: it is visible with its region."""

    region_path = "region"


class StoreQuerySet(ScopedQuerySet):
    region_path = "region"


class CategoryQuerySet(ScopedQuerySet):
    category_path = "id"


class SKUQuerySet(ScopedQuerySet):
    category_path = "category"


class StoreSKUQuerySet(ScopedQuerySet):
    """Rows keyed by one store and one SKU (facts, forecasts): in scope when both are."""

    region_path = "store__region"
    category_path = "sku__category"


class StoreCategoryQuerySet(ScopedQuerySet):
    """Rows summed per store and category (summary cells): in scope when both are, which
    is exactly when the series they add up are."""

    region_path = "store__region"
    category_path = "category"


class Region(models.Model):
    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=120)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Warehouse(models.Model):
    """A warehouse or distribution centre that supplies stores."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=120)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="warehouses")

    objects = WarehouseQuerySet.as_manager()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Store(models.Model):
    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=120)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="stores")
    store_format = models.CharField(
        max_length=40, blank=True, help_text="Format or type, e.g. A/B/C or hypermarket."
    )
    floor_area_m2 = models.PositiveIntegerField(null=True, blank=True)
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.SET_NULL, null=True, blank=True, related_name="stores"
    )
    opened_on = models.DateField(null=True, blank=True)

    objects = StoreQuerySet.as_manager()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Category(models.Model):
    """A node of the product category tree (e.g. Beverages › Alcohol)."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=120)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class SKU(models.Model):
    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="skus")
    unit_cost = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    unit_price = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    lead_time_days = models.PositiveIntegerField(
        default=7, help_text="Supplier's nominal lead time."
    )
    min_order_qty = models.PositiveIntegerField(default=1)
    case_pack = models.PositiveIntegerField(default=1)
    shelf_life_days = models.PositiveIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    launched_on = models.DateField(null=True, blank=True)
    discontinued_on = models.DateField(null=True, blank=True)

    objects = SKUQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = "SKU"
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_cost__isnull=True) | Q(unit_cost__gte=0),
                name="sku_cost_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(unit_price__isnull=True) | Q(unit_price__gte=0),
                name="sku_price_not_negative",
            ),
            models.CheckConstraint(condition=Q(min_order_qty__gte=1), name="sku_moq_positive"),
            models.CheckConstraint(condition=Q(case_pack__gte=1), name="sku_case_pack_positive"),
            models.CheckConstraint(
                condition=Q(launched_on__isnull=True)
                | Q(discontinued_on__isnull=True)
                | Q(discontinued_on__gte=models.F("launched_on")),
                name="sku_discontinued_after_launch",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class OneRow(models.Model):
    """A table of one row of settings: ``current()`` reads it, made with the defaults on
    first use (the company's conventions, the alert policy, the inventory settings)."""

    class Meta:
        abstract = True

    @classmethod
    def current(cls) -> Self:
        row = cls.objects.order_by("pk").first()
        return row if row is not None else cls.objects.create()


class Company(OneRow):
    """The company's own conventions, one row: its currency, the weekday its weeks end on
    and when a period counts as complete.

    Every page, export and weekly bucket reads these instead of assuming a currency or a
    Monday–Sunday week: a retailer whose weeks end on Friday sees its own weeks.
    """

    name = models.CharField(max_length=120, default="Our company")
    currency = models.CharField(
        max_length=3, default="EUR", help_text="ISO 4217 code shown beside every amount."
    )
    week_ends_on = models.PositiveSmallIntegerField(
        choices=Weekday.choices,
        default=Weekday.SUNDAY,
        help_text="The weekday that ends a week (weekly buckets, forecasts, exports, charts).",
    )
    complete_share = models.FloatField(
        default=0.95,
        help_text="A period is complete once this share of active series has reported.",
    )

    class Meta:
        verbose_name_plural = "company"

    def __str__(self) -> str:
        return self.name
