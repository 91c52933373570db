"""Forecasts and backtest fits summed per store × category, for the explorer's aggregates.

The explorer draws sums over every series of a selection (the whole scope, a region, a
category, a store): over the stored forecasts that is tens of thousands of rows per request.
These cells hold the same sums per store, SKU category and date, so an aggregate reads a few
thousand rows. Store and category are the keys a planner's scope and the explorer's members
filter on (a region is a set of stores, a category a subtree of categories), so any selection
of series that is not a single one is a union of whole cells, and summing cells gives what
summing the series gives.

Forecast cells are rebuilt for a run's granularity and origin when the run finishes
(``forecast_finished``), backtest cells for its granularity (each run rewrites the backtest
points of the stores it forecasts); actuals cells for the cells whose sales changed
(``history.signals.sales_changed``), which also scores stored forecasts against the actuals
that arrived (live accuracy) — after a bulk write, from the day cells the signal carries
(``history.day_cells``), summed once for every summary; a SKU moving to another category
(``sku_regrouped``) moves its forecast cells.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db import connection, models, transaction
from django.dispatch import receiver

from forecasting.accuracy import live_accuracy_refresh
from forecasting.models import BacktestPoint, Forecast, ForecastRun, Granularity
from forecasting.signals import forecast_finished
from history.day_cells import cells_where
from history.models import SalesFact
from history.signals import sales_changed, sku_regrouped
from masterdata.models import SKU, Category, Store, StoreCategoryQuerySet


class ForecastCell(models.Model):
    """The forecasts of one origin summed over one category's series at one store, per date.

    ``width_sq`` sums each series' squared p10–p90 width, from which the explorer draws the
    band of a sum of independent series; ``series`` counts the series summed.
    """

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+", db_index=False)
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    granularity = models.CharField(max_length=1, choices=Granularity.choices)
    origin = models.DateField()
    date = models.DateField()
    forecast = models.FloatField()
    p10 = models.FloatField()
    p50 = models.FloatField()
    p90 = models.FloatField()
    width_sq = models.FloatField()
    series = models.PositiveIntegerField()

    objects = StoreCategoryQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["granularity", "origin", "store", "category", "date"],
                name="forecast_cell_unique",
            )
        ]


class ActualsCell(models.Model):
    """What one category's series at one store sold on one day (units where known, else the
    sales value, as ``forecasting.selectors.SALES_MEASURE`` counts a fact): the explorer's
    history of an aggregate, a year of which is half a million facts for weekly views.

    Its keys carry no database foreign key, like the dashboards' sales summaries: a cell is
    derived from checked facts, and one deferred check per cell made every import pay at
    commit; the ORM still deletes a store's or category's cells with it."""

    store = models.ForeignKey(
        Store,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    date = models.DateField()
    actual = models.FloatField(null=True)

    objects = StoreCategoryQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["store", "category", "date"], name="actuals_cell_unique"
            )
        ]
        indexes = [models.Index(fields=["date"], name="actuals_cell_date_idx")]


class BacktestCell(models.Model):
    """The backtest fits and actuals of one category's series at one store, per date."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+", db_index=False)
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    granularity = models.CharField(max_length=1, choices=Granularity.choices)
    date = models.DateField()
    forecast = models.FloatField()
    actual = models.FloatField()

    objects = StoreCategoryQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["granularity", "store", "category", "date"], name="backtest_cell_unique"
            )
        ]


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _where(
    *,
    alias: str,
    category: str,
    granularity: str | None,
    origin=None,
    category_ids: Collection[int] | None,
) -> tuple[str, list]:
    """The WHERE clause over table ``alias`` (whose category is the column ``category``)."""
    clauses, params = ["1 = 1"], []
    if granularity is not None:
        clauses.append(f"{alias}.granularity = %s")
        params.append(granularity)
    if origin is not None:
        clauses.append(f"{alias}.origin = %s")
        params.append(origin)
    if category_ids is not None:
        clauses.append(f"{category} IN ({', '.join(['%s'] * len(category_ids)) or 'NULL'})")
        params.extend(category_ids)
    return " AND ".join(clauses), params


@transaction.atomic
def forecast_cells_refresh(
    *, granularity: str | None = None, origin=None, category_ids: Collection[int] | None = None
) -> None:
    """Rebuild the forecast cells of ``granularity`` and ``origin`` and the backtest cells
    of ``granularity`` (None: of every one), limited to ``category_ids`` when given."""
    category_ids = None if category_ids is None else sorted(set(category_ids))
    join = f"JOIN {_table(SKU)} s ON s.id = f.sku_id"
    cells = {"alias": "c", "category": "c.category_id", "category_ids": category_ids}
    facts = {"alias": "f", "category": "s.category_id", "category_ids": category_ids}
    with connection.cursor() as cursor:
        where, params = _where(**cells, granularity=granularity, origin=origin)
        cursor.execute(f"DELETE FROM {_table(ForecastCell)} AS c WHERE {where}", params)  # noqa: S608
        where, params = _where(**facts, granularity=granularity, origin=origin)
        cursor.execute(
            f"INSERT INTO {_table(ForecastCell)} (store_id, category_id, granularity, origin, "  # noqa: S608
            "date, forecast, p10, p50, p90, width_sq, series) "
            "SELECT f.store_id, s.category_id, f.granularity, f.origin, f.date, "
            "SUM(f.forecast), SUM(f.p10), SUM(f.p50), SUM(f.p90), "
            "SUM((f.p90 - f.p10) * (f.p90 - f.p10)), COUNT(*) "
            f"FROM {_table(Forecast)} f {join} WHERE {where} "
            "GROUP BY f.store_id, s.category_id, f.granularity, f.origin, f.date",
            params,
        )
        where, params = _where(**cells, granularity=granularity)
        cursor.execute(f"DELETE FROM {_table(BacktestCell)} AS c WHERE {where}", params)  # noqa: S608
        where, params = _where(**facts, granularity=granularity)
        cursor.execute(
            f"INSERT INTO {_table(BacktestCell)} (store_id, category_id, granularity, date, "  # noqa: S608
            "forecast, actual) "
            "SELECT f.store_id, s.category_id, f.granularity, f.date, SUM(f.forecast), "
            f"SUM(f.actual) FROM {_table(BacktestPoint)} f {join} WHERE {where} "
            "GROUP BY f.store_id, s.category_id, f.granularity, f.date",
            params,
        )


@transaction.atomic
def actuals_cells_refresh(
    *,
    store_ids: Collection[int] | None = None,
    category_ids: Collection[int] | None = None,
    day_cells: str | None = None,
) -> None:
    """Rebuild the actuals cells of ``store_ids`` × ``category_ids`` (None: all of them).

    ``day_cells`` names a table of exactly those cells' sales summed per day
    (``history.day_cells``, built once after a bulk write); without it the facts are summed.
    """
    where_facts, where_cells, params = cells_where(store_ids=store_ids, category_ids=category_ids)
    columns = "store_id, category_id, date, actual"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_table(ActualsCell)} WHERE {where_cells}", params)  # noqa: S608
        if day_cells is not None:
            cursor.execute(
                f"INSERT INTO {_table(ActualsCell)} ({columns}) "  # noqa: S608
                f"SELECT {columns} FROM {connection.ops.quote_name(day_cells)}"
            )
            return
        cursor.execute(
            f"INSERT INTO {_table(ActualsCell)} ({columns}) "  # noqa: S608
            "SELECT f.store_id, s.category_id, f.date, SUM(COALESCE(f.quantity, f.revenue)) "
            f"FROM {_table(SalesFact)} f JOIN {_table(SKU)} s ON s.id = f.sku_id "
            f"WHERE {where_facts} GROUP BY f.store_id, s.category_id, f.date",
            params,
        )


def forecast_cells_ready(*, granularity: str, origin) -> bool:
    """Whether the forecasts of ``origin`` are summarised (a run of it has finished since
    the cells were introduced); the explorer reads the forecasts themselves otherwise."""
    return ForecastCell.objects.filter(granularity=granularity, origin=origin).exists()


@receiver(forecast_finished, sender=ForecastRun)
def _forecast_finished(sender, *, run: ForecastRun, **kwargs: Any) -> None:
    forecast_cells_refresh(granularity=run.granularity, origin=run.origin)


@receiver(sales_changed)
def _sales_changed(
    sender, *, store_ids=None, category_ids=None, day_cells: str | None = None, **kwargs: Any
) -> None:
    actuals_cells_refresh(store_ids=store_ids, category_ids=category_ids, day_cells=day_cells)


@receiver(sales_changed)
def _actuals_arrived(sender, **kwargs: Any) -> None:
    """Score stored forecasts against actuals as soon as they arrive.

    Live accuracy used to be scored only by the scheduled refresh (``score_live_accuracy``),
    so after an import of later actuals and a planner's own re-run the accuracy page still
    had nothing to show. Scoring reads only the last few scored periods and later ones, up
    to the last complete period; a granularity without stored forecasts costs one query.
    """
    for granularity in Granularity.values:
        live_accuracy_refresh(granularity=granularity)


@receiver(sku_regrouped)
def _sku_regrouped(sender, *, category_ids, **kwargs: Any) -> None:
    """A SKU that changed category moves its series' sums between cells, at every origin."""
    forecast_cells_refresh(category_ids=category_ids)
