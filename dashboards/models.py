"""Summary tables of the sales facts that pages read often, refreshed when facts change.

Both are keyed by store and by the SKU's own category, the two keys a planner's scope
filters on (a region is a set of stores, a category scope a set of categories), so a scoped
planner's figures come from the same rows as everybody else's, filtered exactly like the
facts. Summing a cell's columns over any set of cells gives what the same aggregate over the
facts would: counts and sums add up, and a date belongs to one day row.

The sales summaries' keys carry no database foreign key (``db_constraint=False``): a cell is
derived from facts whose store and SKU (and the SKU's category) the database has checked
already, so checking each cell again cost an import one deferred trigger per cell and key
at commit (over a second for the Walmart import's ~23,000 cells, more than its COPY). The
ORM still deletes a store's or category's cells with it (``on_delete=CASCADE``).
"""

from django.db import models

from forecasting.models import Granularity
from masterdata.models import SKU, Category, Store, StoreCategoryQuerySet, StoreSKUQuerySet


class DailySales(models.Model):
    """The sales of one category in one store on one day (or week, for weekly sources).

    ``unit_rows`` and ``value_rows`` count the facts carrying a quantity or a value, so
    "weeks with units" and "days with value" read as ``unit_rows > 0`` / ``value_rows > 0``;
    ``sold_rows`` counts the facts that sold something (a positive quantity, or a positive
    value where no quantity is known), the definition of a day with sales.
    """

    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    date = models.DateField()
    rows = models.PositiveIntegerField()
    unit_rows = models.PositiveIntegerField()
    units = models.FloatField(null=True)
    value_rows = models.PositiveIntegerField()
    value = models.FloatField(null=True)
    sold_rows = models.PositiveIntegerField()

    objects = StoreCategoryQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["store", "category", "date"], name="daily_sales_one_per_cell"
            )
        ]
        indexes = [
            models.Index(fields=["date"], name="daily_sales_date_idx"),
            models.Index(fields=["category", "date"], name="daily_sales_category_idx"),
        ]


class WeeklySales(models.Model):
    """The sales of one category in one store in one week (``week`` is its first day, the day
    after the company's week end ``Company.week_ends_on``; pages label it by its last day).

    The week's sums of the day cells, plus which weekdays had a measure or a sale as bit
    masks (bit 0 Monday … bit 6 Sunday): the number of dates in a week is not additive over
    cells, but the union of their masks is, so charts and "days with sales" stay exact
    while reading a seventh of the day rows.
    """

    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    week = models.DateField()
    rows = models.PositiveIntegerField()
    unit_rows = models.PositiveIntegerField()
    units = models.FloatField(null=True)
    value_rows = models.PositiveIntegerField()
    value = models.FloatField(null=True)
    sold_rows = models.PositiveIntegerField()
    unit_days = models.PositiveSmallIntegerField()
    value_days = models.PositiveSmallIntegerField()
    sold_days = models.PositiveSmallIntegerField()

    objects = StoreCategoryQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["store", "category", "week"], name="weekly_sales_one_per_cell"
            )
        ]


class SkuSales(models.Model):
    """One SKU's sales at one store over the whole history: the store page's best sellers."""

    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    sku = models.ForeignKey(SKU, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    units = models.FloatField(null=True)
    value = models.FloatField(null=True)
    first_date = models.DateField()
    last_date = models.DateField()

    objects = StoreCategoryQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "sku"], name="sku_sales_one_per_series")
        ]


class SeriesCoverage(models.Model):
    """How much history one category has at one store: series (SKUs sold), first and last date.

    Each SKU has one category, so the series of several categories add up.
    """

    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    series = models.PositiveIntegerField()
    first_date = models.DateField()
    last_date = models.DateField()

    objects = StoreCategoryQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["store", "category"], name="series_coverage_one_per_cell"
            )
        ]


class MonthlyForecast(models.Model):
    """The current forecast of one series (store × SKU) summed over one calendar month.

    The executive's "next month" reads one row per series instead of a month of daily
    forecast rows. Kept per SKU rather than per category so the value is priced with the
    SKU's price when the page is read: a price edit needs no refresh. Only the latest origin
    of each granularity is kept. A weekly forecast is split evenly over its week's seven
    days; ``days`` counts the days of the month the forecast covers (a daily forecast of 56
    days may stop short of the month's end).
    """

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+", db_index=False)
    sku = models.ForeignKey(SKU, on_delete=models.CASCADE, related_name="+", db_index=False)
    granularity = models.CharField(max_length=1, choices=Granularity.choices)
    origin = models.DateField()
    month = models.DateField(help_text="The first day of the month.")
    forecast = models.FloatField()
    days = models.PositiveSmallIntegerField()

    objects = StoreSKUQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["granularity", "month", "store", "sku"],
                name="monthly_forecast_one_per_series",
            )
        ]
