"""Forecast accuracy against actuals, by level and lead time, kept over time.

Two sources feed the accuracy page: the rolling-origin backtest of every forecast run
(available from the first run) and live comparisons of stored forecasts with the actuals
that arrive afterwards (the pilot's daily forecast-vs-actual check). Both are reduced to
sums (actual, forecast, absolute error) per date × level × member × lead bucket, so any
roll-up recomputes WAPE = Σ|F − A| / Σ|A| and bias = Σ(F − A) / Σ|A| exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from django.db import transaction

from forecasting.engine.granularity import granularity_of
from forecasting.history_frames import company_granularity, last_actual_date, unavailable_periods
from forecasting.models import AccuracyRecord, BacktestPoint, Forecast
from history.bulk import UpsertTarget, frame_from_query, upsert_frame
from masterdata.models import SKU, Store

LEVELS = ("total", "region", "category", "region_category", "store")
# Live accuracy scores the last this many periods again on each refresh (late rows).
RESCORED_PERIODS = 7


def lead_bucket(lead: pd.Series, granularity: str) -> pd.Series:
    labels = pd.Series("", index=lead.index, dtype=object)
    for low, high, label in granularity_of(granularity).lead_buckets:
        labels[(lead >= low) & (lead <= high)] = label
    return labels


def _members() -> tuple[pd.DataFrame, pd.DataFrame]:
    stores = pd.DataFrame(Store.objects.values("id", "code", "region__code")).rename(
        columns={"id": "store_id", "code": "store", "region__code": "region"}
    )
    skus = pd.DataFrame(SKU.objects.values("id", "category__code")).rename(
        columns={"id": "sku_id", "category__code": "category"}
    )
    return stores, skus


def level_sums(points: pd.DataFrame, granularity: str) -> pd.DataFrame:
    """Reduce point comparisons (store_id, sku_id, date, forecast, actual, lead) to sums per
    date × level × member × lead bucket."""
    stores, skus = _members()
    frame = points.merge(stores, on="store_id").merge(skus, on="sku_id")
    frame["lead_bucket"] = lead_bucket(frame["lead"], granularity)
    frame["abs_error"] = (frame["forecast"] - frame["actual"]).abs()
    frame["total"] = "all"
    frame["region_category"] = frame["region"].astype(str) + "|" + frame["category"].astype(str)
    parts = []
    for level in LEVELS:
        grouped = frame.groupby(["date", level, "lead_bucket"], as_index=False).agg(
            actual_sum=("actual", "sum"),
            forecast_sum=("forecast", "sum"),
            abs_error_sum=("abs_error", "sum"),
            points=("actual", "size"),
        )
        parts.append(grouped.rename(columns={level: "key"}).assign(level=level))
    sums = pd.concat(parts, ignore_index=True).rename(columns={"date": "evaluated_on"})
    sums["granularity"] = granularity
    return sums


def _write(sums: pd.DataFrame, source: str) -> int:
    sums = sums.assign(source=source)
    columns = [
        "source",
        "granularity",
        "evaluated_on",
        "level",
        "key",
        "lead_bucket",
        "actual_sum",
        "forecast_sum",
        "abs_error_sum",
        "points",
    ]
    return upsert_frame(
        UpsertTarget(
            AccuracyRecord, ["source", "granularity", "evaluated_on", "level", "key", "lead_bucket"]
        ),
        sums[columns],
    )


@transaction.atomic
def backtest_accuracy_record(*, granularity: str) -> dict:
    """Replace the backtest accuracy records with those of the current backtest points;
    returns the headline figures (WAPE, accuracy, bias) at total level."""
    points = pd.DataFrame(
        BacktestPoint.objects.filter(granularity=granularity).values(
            "store_id", "sku_id", "date", "forecast", "actual", "lead"
        )
    )
    AccuracyRecord.objects.filter(
        source=AccuracyRecord.Source.BACKTEST, granularity=granularity
    ).delete()
    if points.empty:
        return {}
    _write(level_sums(points, granularity), AccuracyRecord.Source.BACKTEST)
    return headline(points)


def headline(points: pd.DataFrame) -> dict:
    actual = points["actual"].abs().sum()
    error = (points["forecast"] - points["actual"]).abs().sum()
    signed = (points["forecast"] - points["actual"]).sum()
    wape = float(error / actual) if actual else None
    return {
        "wape": wape,
        "accuracy": None if wape is None else 1 - wape,
        "bias": float(signed / actual) if actual else None,
        "points": len(points),
    }


def _actuals(granularity: str, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    facts = frame_from_query(
        "SELECT store_id, sku_id, CAST(date AS TEXT), quantity, revenue FROM history_salesfact "
        "WHERE date >= %s AND date <= %s",
        [start.date(), end.date()],
        columns=["store_id", "sku_id", "date", "quantity", "revenue"],
    )
    if facts.empty:
        return facts
    facts["date"] = pd.to_datetime(facts["date"], format="%Y-%m-%d")
    quantity = pd.to_numeric(facts["quantity"], errors="coerce")
    facts["actual"] = quantity.fillna(pd.to_numeric(facts["revenue"], errors="coerce"))
    facts["date"] = company_granularity(granularity).period_end(facts["date"])
    return facts.groupby(["store_id", "sku_id", "date"], as_index=False)["actual"].sum()


@transaction.atomic
def live_accuracy_refresh(*, granularity: str) -> int:
    """Compare stored forecasts with actuals that arrived since the last comparison.

    Returns the number of forecast points scored (those of the last ``RESCORED_PERIODS``
    periods already scored count again). A forecast date without an actual row is zero
    sales, unless the store did not report or was closed then: such points are not scored
    (``history_frames.unavailable_periods``).
    """
    # Every sales write calls this: with no forecast to score, skip the completeness count.
    if not Forecast.objects.filter(granularity=granularity).exists():
        return 0
    last_actual = last_actual_date(granularity)
    if last_actual is None:
        return 0
    done = (
        AccuracyRecord.objects.filter(source=AccuracyRecord.Source.LIVE, granularity=granularity)
        .order_by("-evaluated_on")
        .values_list("evaluated_on", flat=True)
        .first()
    )
    pending = Forecast.objects.filter(granularity=granularity, date__lte=last_actual.date())
    if done:
        # The last few periods are scored again: their late rows (another store's file, a
        # correction) replace the records instead of being left out for good.
        rescored = RESCORED_PERIODS * granularity_of(granularity).period
        pending = pending.filter(date__gt=done - rescored)
    points = pd.DataFrame(pending.values("store_id", "sku_id", "origin", "date", "forecast"))
    if points.empty:
        return 0
    points["date"] = pd.to_datetime(points["date"])
    points["origin"] = pd.to_datetime(points["origin"])
    actuals = _actuals(
        granularity, points["date"].min() - pd.Timedelta(days=6), points["date"].max()
    )
    points = points.merge(actuals, on=["store_id", "sku_id", "date"], how="left")
    points = _without_unavailable(points, granularity)
    points["actual"] = points["actual"].fillna(0.0)
    step = granularity_of(granularity).period_days
    points["lead"] = ((points["date"] - points["origin"]).dt.days // step).astype(int)
    points = points[np.isfinite(points["forecast"])]
    _write(level_sums(points, granularity), AccuracyRecord.Source.LIVE)
    return len(points)


def _without_unavailable(points: pd.DataFrame, granularity: str) -> pd.DataFrame:
    """``points`` less those at a store-period that was missing or closed."""
    target = company_granularity(granularity)
    gone = unavailable_periods(
        points["store_id"].unique().tolist(),
        target,
        points["date"].max(),
        points["date"].min() - target.period,
    )
    if gone.empty:
        return points
    gone = gone.astype({"store_id": "int64", "ds": points["date"].dtype})
    keys = pd.MultiIndex.from_frame(points[["store_id", "date"]].astype({"store_id": "int64"}))
    return points[~keys.isin(pd.MultiIndex.from_frame(gone[["store_id", "ds"]]))]
