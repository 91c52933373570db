"""Reads of stored forecasts, selections, pins and accuracy records, within a ``Scope``.

Querysets and frames only; what the explorer and accuracy pages draw is built from these in
:mod:`forecasting.explorer` and :mod:`forecasting.accuracy_pages`.
"""

from __future__ import annotations

import pandas as pd
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce

from accounts.scoping import Scope
from forecasting.engine.hierarchy import aggregate
from forecasting.engine.models import BENCHMARKS
from forecasting.models import (
    AccuracyRecord,
    Forecast,
    ForecastRun,
    LeaderboardEntry,
    ModelPin,
    SeriesModel,
)

# What a sales row counts: units where known, else the sales value (Walmart).
SALES_MEASURE = Coalesce(F("quantity"), F("revenue"))

LEVEL_COLUMNS = {
    "store": ["store"],
    "region": ["region"],
    "category": ["category"],
    "warehouse": ["warehouse"],
    "total": [],
}


def scope_q(scope: Scope) -> Q:
    """A filter for rows keyed by store and SKU (facts, forecasts) within ``scope``."""
    return scope.q(region="store__region", category="sku__category")


def latest_origin(granularity: str):
    run = (
        ForecastRun.objects.filter(granularity=granularity, chunks_done__gt=0)
        .order_by("-origin", "-id")
        .first()
    )
    return run.origin if run else None


def forecast_exists(granularity: str) -> bool:
    """Whether a finished forecast run exists for ``daily``/``weekly`` (or ``D``/``W``)."""
    return latest_origin(granularity[0].upper()) is not None


def forecasts_in_scope(*, scope: Scope, granularity: str, origin=None) -> QuerySet[Forecast]:
    origin = origin or latest_origin(granularity)
    return Forecast.objects.visible_to(scope).filter(granularity=granularity, origin=origin)


def forecast_frame(*, scope: Scope, granularity: str, origin=None) -> pd.DataFrame:
    """Series-level forecasts with their store/SKU codes and hierarchy members."""
    rows = forecasts_in_scope(scope=scope, granularity=granularity, origin=origin).values(
        "date",
        "forecast",
        "p10",
        "p50",
        "p90",
        "model",
        "store__code",
        "sku__code",
        "store__region__code",
        "store__warehouse__code",
        "sku__category__code",
    )
    frame = pd.DataFrame(list(rows))
    if frame.empty:
        return pd.DataFrame(
            columns=[
                "date",
                "store",
                "sku",
                "region",
                "warehouse",
                "category",
                "forecast",
                "p10",
                "p50",
                "p90",
                "model",
            ]
        )
    return frame.rename(
        columns={
            "store__code": "store",
            "sku__code": "sku",
            "store__region__code": "region",
            "store__warehouse__code": "warehouse",
            "sku__category__code": "category",
        }
    )


def forecast_level_frame(
    *, scope: Scope, granularity: str, level: str, origin=None
) -> pd.DataFrame:
    """Forecasts at ``level`` (series, store, region, category, warehouse or total)."""
    frame = forecast_frame(scope=scope, granularity=granularity, origin=origin)
    if level == "series":
        return frame
    by = LEVEL_COLUMNS[level]
    frame = frame.fillna({column: "" for column in by})
    return aggregate(frame, by)


def selections_in_scope(*, scope: Scope, granularity: str) -> QuerySet[SeriesModel]:
    return SeriesModel.objects.visible_to(scope).filter(granularity=granularity)


def pin_candidates(*, granularity: str) -> list[str]:
    """Models a pin may name: every model scored in the backtests, and the benchmarks."""
    scored = (
        LeaderboardEntry.objects.filter(granularity=granularity)
        .values_list("model", flat=True)
        .distinct()
        .order_by()
    )
    return sorted(set(scored) | set(BENCHMARKS))


def pins_in_scope(scope: Scope) -> QuerySet[ModelPin]:
    """Series pins of series in scope; category pins of categories in scope, only for scopes
    not narrowed by region (a category pin applies in every region)."""
    return ModelPin.objects.visible_to(scope)


def may_pin_categories(scope: Scope) -> bool:
    return not scope.is_nothing and not scope.is_region_scoped


def accuracy_records_in_scope(
    *, scope: Scope, source: str, granularity: str, level: str
) -> QuerySet[AccuracyRecord]:
    """Accuracy records of ``level`` limited to the members in scope; a scoped planner sees
    no total row (it covers series outside the scope)."""
    return AccuracyRecord.objects.visible_to(scope).filter(
        source=source, granularity=granularity, level=level
    )


def forecast_rows_in_scope(*, scope: Scope) -> QuerySet[Forecast]:
    """Every stored forecast row in scope, of any origin (look-ups by id)."""
    return Forecast.objects.visible_to(scope).select_related("store", "sku")


def selections_all_in_scope(*, scope: Scope) -> QuerySet[SeriesModel]:
    """Every model selection in scope, of both granularities (look-ups by id)."""
    return SeriesModel.objects.visible_to(scope).select_related("store", "sku")
