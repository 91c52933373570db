"""Reads of stored forecasts, selections, pins and accuracy records, scoped to the user.

Querysets and frames only; what the explorer and accuracy pages draw is built from these in
:mod:`forecasting.explorer` and :mod:`forecasting.accuracy_pages`.
"""

from __future__ import annotations

import pandas as pd
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce

from accounts.roles import user_roles
from accounts.scoping import (
    fact_scope_q,
    is_scoped,
    visible_categories,
    visible_regions,
    visible_stores,
)
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
from masterdata.models import Region

# What a sales row counts: units where known, else the sales value (Walmart).
SALES_MEASURE = Coalesce(F("quantity"), F("revenue"))

LEVEL_COLUMNS = {
    "store": ["store"],
    "region": ["region"],
    "category": ["category"],
    "warehouse": ["warehouse"],
    "total": [],
}


def scope_q(user) -> Q:
    """The user's scope; ``None`` is the system itself (commands, schedules): everything."""
    return Q() if user is None else fact_scope_q(user)


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


def forecasts_for_user(*, user, granularity: str, origin=None) -> QuerySet[Forecast]:
    origin = origin or latest_origin(granularity)
    return Forecast.objects.filter(scope_q(user), granularity=granularity, origin=origin)


def forecast_frame(*, user, granularity: str, origin=None) -> pd.DataFrame:
    """Series-level forecasts with their store/SKU codes and hierarchy members."""
    rows = forecasts_for_user(user=user, granularity=granularity, origin=origin).values(
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


def forecast_level_frame(*, user, granularity: str, level: str, origin=None) -> pd.DataFrame:
    """Forecasts at ``level`` (series, store, region, category, warehouse or total)."""
    frame = forecast_frame(user=user, granularity=granularity, origin=origin)
    if level == "series":
        return frame
    by = LEVEL_COLUMNS[level]
    frame = frame.fillna({column: "" for column in by})
    return aggregate(frame, by)


def selections_for_user(*, user, granularity: str) -> QuerySet[SeriesModel]:
    return SeriesModel.objects.filter(scope_q(user), granularity=granularity)


def pin_candidates(*, granularity: str) -> list[str]:
    """Models a pin may name: every model scored in the backtests, and the benchmarks."""
    scored = (
        LeaderboardEntry.objects.filter(granularity=granularity)
        .values_list("model", flat=True)
        .distinct()
        .order_by()
    )
    return sorted(set(scored) | set(BENCHMARKS))


def pins_for_user(user) -> QuerySet[ModelPin]:
    """Pins within the user's scope: series pins of series they see; category pins of
    categories they see, only for users not narrowed by region (a category pin applies in
    every region)."""
    series = Q(category__isnull=True) & fact_scope_q(user)
    categories = Q(category__in=visible_categories(user))
    if not user_roles(user):
        return ModelPin.objects.none()
    if _region_scoped(user):
        return ModelPin.objects.filter(series)
    return ModelPin.objects.filter(series | categories)


def _region_scoped(user) -> bool:
    return visible_regions(user).count() < Region.objects.count()


def may_pin_categories(user) -> bool:
    return bool(user_roles(user)) and not _region_scoped(user)


def _allowed_keys(user, level: str) -> list[str] | None:
    """Members of ``level`` the user may see; ``None`` when they see every member."""
    if not is_scoped(user):
        return None
    regions = list(visible_regions(user).values_list("code", flat=True))
    categories = list(visible_categories(user).values_list("code", flat=True))
    if level == "region":
        return regions
    if level == "category":
        return categories
    if level == "region_category":
        return [f"{r}|{c}" for r in regions for c in categories]
    if level == "store":
        return list(visible_stores(user).values_list("code", flat=True))
    return []


def accuracy_records_for_user(
    *, user, source: str, granularity: str, level: str
) -> QuerySet[AccuracyRecord]:
    """Accuracy records of ``level`` limited to the members in the user's scope; a scoped
    planner sees no total row (it covers series outside the scope)."""
    if not user_roles(user):
        return AccuracyRecord.objects.none()
    records = AccuracyRecord.objects.filter(source=source, granularity=granularity, level=level)
    keys = _allowed_keys(user, level)
    return records if keys is None else records.filter(key__in=keys)


def forecast_rows_for_user(*, user) -> QuerySet[Forecast]:
    """Every stored forecast row in the user's scope, of any origin (look-ups by id)."""
    return Forecast.objects.filter(scope_q(user)).select_related("store", "sku")


def selections_all_for_user(*, user) -> QuerySet[SeriesModel]:
    """Every model selection in the user's scope, of both granularities (look-ups by id)."""
    return SeriesModel.objects.filter(scope_q(user)).select_related("store", "sku")
