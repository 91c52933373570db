"""The accuracy page: its defaults, headline, charts, heat map and worst series.

Page view-models built on the scoped reads of :mod:`forecasting.selectors`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db.models import (
    Max,
    Min,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
)

from accounts.scoping import Scope
from forecasting.engine.granularity import DAILY, GRANULARITIES, WEEKLY, granularity_of
from forecasting.history_frames import company_granularity
from forecasting.models import (
    AccuracyRecord,
    Forecast,
    LeaderboardEntry,
    SeriesModel,
)
from forecasting.selectors import SALES_MEASURE, accuracy_records_in_scope, scope_q
from history.models import SalesFact
from masterdata.models import SKU, Store

# The business target for forecast accuracy (1 − WAPE), drawn as a reference line.
ACCURACY_TARGET = 0.70


# Live accuracy figures cover this many days before the newest comparison.
LIVE_PERIOD_DAYS = 91


EXCEPTION_DAYS = 28


EXCEPTIONS_SHOWN = 12


# Narrows a queryset keyed by store and SKU (forecasts, facts, leaderboard rows) to the
# series a list page's filters chose; the identity when nothing is filtered.
Narrow = Callable[[QuerySet], QuerySet]


def _everything(queryset: QuerySet) -> QuerySet:
    return queryset


@dataclass(frozen=True)
class AccuracyFilter:
    source: str
    granularity: str


def accuracy_defaults(*, scope: Scope) -> AccuracyFilter:
    """The source and granularity to open the page on: the first, live before backtest and
    daily before weekly, with records the scope shows (the backtest, daily, when none)."""
    level = "region_category" if scope.is_scoped else "total"
    for source in (AccuracyRecord.Source.LIVE, AccuracyRecord.Source.BACKTEST):
        for granularity in GRANULARITIES:
            visible = accuracy_records_in_scope(
                scope=scope, source=source, granularity=granularity.code, level=level
            )
            if visible.exists():
                return AccuracyFilter(source, granularity.code)
    return AccuracyFilter(AccuracyRecord.Source.BACKTEST, DAILY.code)


def _scope_total_records(scope: Scope, accuracy: AccuracyFilter) -> QuerySet[AccuracyRecord]:
    """Records that add up to the whole scope: the total row, or for a scoped
    planner the region × category cells inside their scope."""
    level = "region_category" if scope.is_scoped else "total"
    records = accuracy_records_in_scope(
        scope=scope, source=accuracy.source, granularity=accuracy.granularity, level=level
    )
    if accuracy.source == AccuracyRecord.Source.LIVE:
        last = records.aggregate(last=Max("evaluated_on"))["last"]
        if last is not None:
            records = records.filter(evaluated_on__gt=last - dt.timedelta(days=LIVE_PERIOD_DAYS))
    return records


SUMS = {
    "actual": Sum("actual_sum"),
    "forecast": Sum("forecast_sum"),
    "abs_error": Sum("abs_error_sum"),
    "compared": Sum("points"),
}


def _scores(row: dict) -> dict:
    """Accuracy (1 − WAPE) and bias from summed actuals, forecasts and absolute errors."""
    actual = abs(row["actual"] or 0.0)
    if not actual:
        return {**row, "wape": None, "accuracy": None, "bias": None}
    wape = row["abs_error"] / actual
    return {
        **row,
        "wape": wape,
        "accuracy": 1 - wape,
        "bias": (row["forecast"] - row["actual"]) / actual,
    }


def accuracy_overview(*, scope: Scope, accuracy: AccuracyFilter) -> dict:
    """Headline, accuracy by region × category, by week and by lead time, in scope."""
    records = _scope_total_records(scope, accuracy)
    period = records.aggregate(first=Min("evaluated_on"), last=Max("evaluated_on"), **SUMS)
    if not period["compared"]:
        return {"headline": None}
    headline = _scores({k: period[k] for k in SUMS})
    days = pd.DataFrame.from_records(
        list(records.values("evaluated_on").annotate(**SUMS).order_by("evaluated_on")),
        columns=["evaluated_on", *SUMS],
    )
    days["week"] = company_granularity(WEEKLY.code).period_end(pd.to_datetime(days["evaluated_on"]))
    weeks = [
        _scores(row)
        for row in days.groupby("week", as_index=False)[list(SUMS)].sum().to_dict("records")
    ]
    buckets = granularity_of(accuracy.granularity).lead_buckets
    order = {label: i for i, (_, _, label) in enumerate(buckets)}
    leads = sorted(
        (_scores(row) for row in records.values("lead_bucket").annotate(**SUMS).order_by()),
        key=lambda row: order.get(row["lead_bucket"], len(order)),
    )
    cells = accuracy_records_in_scope(
        scope=scope,
        source=accuracy.source,
        granularity=accuracy.granularity,
        level="region_category",
    ).filter(evaluated_on__gte=period["first"], evaluated_on__lte=period["last"])
    heat = [_scores(row) for row in cells.values("key").annotate(**SUMS).order_by("key")]
    return {
        "headline": headline,
        "first": period["first"],
        "last": period["last"],
        "chart": {
            "target": ACCURACY_TARGET,
            "weeks": {
                "x": [w["week"].strftime("%Y-%m-%d") for w in weeks],
                "accuracy": [w["accuracy"] for w in weeks],
                "bias": [w["bias"] for w in weeks],
            },
            "leads": {
                "x": [row["lead_bucket"] for row in leads],
                "accuracy": [row["accuracy"] for row in leads],
                "bias": [row["bias"] for row in leads],
            },
            "heatmap": _heatmap(heat),
        },
    }


def _heatmap(cells: list[dict]) -> dict:
    """Accuracy by category (rows) × region (columns) for a Plotly heatmap."""
    regions = sorted({c["key"].split("|", 1)[0] for c in cells})
    categories = sorted({c["key"].split("|", 1)[-1] for c in cells})
    z = [[None] * len(regions) for _ in categories]
    for cell in cells:
        region, _, category = cell["key"].partition("|")
        z[categories.index(category)][regions.index(region)] = cell["accuracy"]
    return {"regions": regions, "categories": categories, "z": z}


def accuracy_exceptions(*, scope: Scope, accuracy: AccuracyFilter) -> dict:
    """The series with the largest error and the largest bias, as tables of rows with
    store, sku, model, wape, bias and volume (actual sum)."""
    if accuracy.source == AccuracyRecord.Source.LIVE:
        frame = _live_series_errors(scope, accuracy.granularity)
    else:
        frame = _backtest_series_errors(scope, accuracy.granularity)
    if frame.empty:
        return {"worst_error": [], "worst_bias": []}
    frame = frame.dropna(subset=["wape"])
    frame["abs_bias"] = frame["bias"].abs()
    worst_error = frame.nlargest(EXCEPTIONS_SHOWN, "wape")
    worst_bias = frame.nlargest(EXCEPTIONS_SHOWN, "abs_bias")
    return {
        "worst_error": _with_names(worst_error),
        "worst_bias": _with_names(worst_bias),
    }


def series_accuracy(
    *, scope: Scope, accuracy: AccuracyFilter, narrow: Narrow = _everything
) -> list[dict]:
    """Every series in scope (narrowed by ``narrow``) with its error and bias, worst error
    first: the accuracy exceptions list. Rows carry the ``store`` and ``sku`` objects (with
    the SKU's category), the model, ``wape``, ``bias`` and ``volume`` (actuals compared)."""
    if accuracy.source == AccuracyRecord.Source.LIVE:
        frame = _live_series_errors(scope, accuracy.granularity, narrow)
    else:
        frame = _backtest_series_errors(scope, accuracy.granularity, narrow)
    frame = frame.dropna(subset=["wape"]).sort_values(
        ["wape", "store_id", "sku_id"], ascending=[False, True, True]
    )
    if frame.empty:
        return []
    stores = Store.objects.select_related("region").in_bulk(frame["store_id"].unique().tolist())
    skus = SKU.objects.select_related("category").in_bulk(frame["sku_id"].unique().tolist())
    return [
        {
            "store": stores[row["store_id"]],
            "sku": skus[row["sku_id"]],
            "model": row["model"],
            "wape": row["wape"],
            "bias": row["bias"],
            "abs_bias": abs(row["bias"]) if pd.notna(row["bias"]) else None,
            "volume": row.get("volume"),
        }
        for row in frame.to_dict("records")
    ]


def _with_names(frame: pd.DataFrame) -> list[dict]:
    stores = dict(Store.objects.filter(id__in=frame["store_id"]).values_list("id", "code"))
    skus = {
        row["id"]: row
        for row in SKU.objects.filter(id__in=frame["sku_id"]).values("id", "code", "name")
    }
    rows = []
    for row in frame.to_dict("records"):
        sku = skus[row["sku_id"]]
        rows.append(
            {
                "store": stores[row["store_id"]],
                "sku": sku["code"],
                "sku_name": sku["name"],
                "model": row["model"],
                "wape": row["wape"],
                "bias": row["bias"],
                "volume": row.get("volume"),
            }
        )
    return rows


def _backtest_series_errors(
    scope: Scope, granularity: str, narrow: Narrow = _everything
) -> pd.DataFrame:
    """Backtest WAPE and bias of each series' selected model."""
    selected = SeriesModel.objects.filter(
        store=OuterRef("store"), sku=OuterRef("sku"), granularity=granularity
    ).values("model")[:1]
    rows = (
        narrow(LeaderboardEntry.objects.filter(scope_q(scope), granularity=granularity))
        .filter(model=Subquery(selected))
        .values("store_id", "sku_id", "model", "wape", "bias")
    )
    return pd.DataFrame.from_records(
        list(rows), columns=["store_id", "sku_id", "model", "wape", "bias"]
    )


def _live_series_errors(
    scope: Scope, granularity: str, narrow: Narrow = _everything
) -> pd.DataFrame:
    """Stored forecasts against actuals over the last four weeks with actuals, per series.

    One origin is compared: the newest whose forecast covers the whole four weeks (or the
    oldest stored, when forecasting started less than four weeks ago).
    """
    last = AccuracyRecord.objects.filter(
        source=AccuracyRecord.Source.LIVE, granularity=granularity
    ).aggregate(last=Max("evaluated_on"))["last"]
    columns = ["store_id", "sku_id", "model", "wape", "bias", "volume"]
    if last is None:
        return pd.DataFrame(columns=columns)
    start = last - dt.timedelta(days=EXCEPTION_DAYS - 1)
    origins = Forecast.objects.filter(granularity=granularity)
    origin = origins.filter(origin__lt=start).aggregate(o=Max("origin"))["o"]
    origin = origin or origins.filter(origin__lt=last).aggregate(o=Min("origin"))["o"]
    if origin is None:
        return pd.DataFrame(columns=columns)
    forecasts = pd.DataFrame.from_records(
        list(
            narrow(
                Forecast.objects.filter(
                    scope_q(scope),
                    granularity=granularity,
                    origin=origin,
                    date__gte=start,
                    date__lte=last,
                )
            ).values("store_id", "sku_id", "date", "forecast", "model")
        ),
        columns=["store_id", "sku_id", "date", "forecast", "model"],
    )
    if forecasts.empty:
        return pd.DataFrame(columns=columns)
    actuals = pd.DataFrame.from_records(
        list(
            narrow(
                SalesFact.objects.filter(
                    scope_q(scope), date__gte=start - dt.timedelta(days=6), date__lte=last
                )
            )
            .values("store_id", "sku_id", "date")
            .annotate(actual=Sum(SALES_MEASURE))
            .order_by()
        ),
        columns=["store_id", "sku_id", "date", "actual"],
    )
    forecasts["date"] = pd.to_datetime(forecasts["date"])
    actuals["date"] = pd.to_datetime(actuals["date"])
    grain = company_granularity(granularity)
    if grain.is_weekly:
        actuals["date"] = grain.period_end(actuals["date"])
        actuals = actuals.groupby(["store_id", "sku_id", "date"], as_index=False)["actual"].sum()
    points = forecasts.merge(actuals, on=["store_id", "sku_id", "date"], how="left")
    points["actual"] = points["actual"].fillna(0.0).astype(float)
    points["error"] = points["forecast"] - points["actual"]
    points["abs_error"] = points["error"].abs()
    series = points.groupby(["store_id", "sku_id"], as_index=False).agg(
        model=("model", "last"),
        volume=("actual", "sum"),
        abs_error=("abs_error", "sum"),
        error=("error", "sum"),
    )
    scale = series["volume"].abs().replace(0, np.nan)
    series["wape"] = series["abs_error"] / scale
    series["bias"] = series["error"] / scale
    return series[columns]
