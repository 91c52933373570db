"""Loading what a pilot's KPIs are computed from, for a set of stores and days, in bulk.

The forecast a day is judged against is the one made before it: the stored daily forecast
of the latest origin before the day where one exists, otherwise the baseline a store without
the product would use (the same weekday's average over the four weeks before). Both groups
are read the same way, so the comparison is fair.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from django.db.models import F

from anomalies.models import Alert, AlertStatus
from forecasting.models import Forecast, Granularity
from history.models import InventorySnapshot, SalesFact, SupplyOrder
from inventory.models import InventorySettings
from masterdata.models import SKU
from pilots.engine.kpis import CostRates

BASELINE_WEEKS = 4


def kpi_frames(*, store_ids: list[int], date_from: date, date_to: date) -> dict:
    """The keyword arguments of ``pilots.engine.kpis.store_daily_kpis`` for these stores
    and days (inclusive)."""
    lookback = date_from - timedelta(weeks=BASELINE_WEEKS)
    sales = _frame(
        SalesFact.objects.filter(store_id__in=store_ids, date__range=(lookback, date_to))
        .exclude(quantity=None)
        .values_list("store_id", "sku_id", "date", "quantity"),
        ["store_id", "sku_id", "date", "quantity"],
    )
    stock = _frame(
        InventorySnapshot.objects.filter(
            store_id__in=store_ids, date__range=(date_from, date_to)
        ).values_list("store_id", "sku_id", "date", "on_hand"),
        ["store_id", "sku_id", "date", "on_hand"],
    )
    receipts = _frame(
        SupplyOrder.objects.filter(
            store_id__in=store_ids, received_on__range=(date_from, date_to)
        ).values_list("store_id", "sku_id", "received_on", F("quantity_received")),
        ["store_id", "sku_id", "date", "quantity"],
    ).fillna({"quantity": 0.0})
    verdicts = _frame(
        Alert.objects.filter(
            store_id__in=store_ids,
            status__in=[AlertStatus.CONFIRMED, AlertStatus.DISMISSED],
            closed_at__date__range=(date_from, date_to),
        ).values_list("store_id", "closed_at__date", "status"),
        ["store_id", "date", "status"],
    )
    verdicts["confirmed"] = verdicts["status"] == AlertStatus.CONFIRMED
    settings = InventorySettings.current()
    return {
        "sales": sales[sales["date"] >= date_from],
        "forecasts": _forecasts(sales, store_ids, date_from, date_to),
        "stock": stock,
        "receipts": receipts,
        "unit_cost": pd.Series(
            {pk: float(cost or 0) for pk, cost in SKU.objects.values_list("pk", "unit_cost")},
            dtype=float,
        ),
        "verdicts": verdicts[["store_id", "date", "confirmed"]],
        "rates": CostRates(
            holding_rate_per_year=settings.holding_rate_per_year,
            order_cost=settings.order_cost,
            transport_cost_per_unit=settings.transport_cost_per_unit,
            excess_cover_days=settings.excess_cover_days,
        ),
    }


def _frame(rows, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=columns)


def _forecasts(sales: pd.DataFrame, store_ids: list[int], date_from: date, date_to: date):
    """Stored forecasts made before each day, and the baseline for the rest."""
    stored = _frame(
        Forecast.objects.filter(
            granularity=Granularity.DAILY,
            store_id__in=store_ids,
            date__range=(date_from, date_to),
        )
        .order_by("store_id", "sku_id", "date", "-origin")
        .values_list("store_id", "sku_id", "date", "forecast"),
        ["store_id", "sku_id", "date", "forecast"],
    ).drop_duplicates(["store_id", "sku_id", "date"], keep="first")
    baseline = same_weekday_baseline(sales, date_from, date_to)
    both = baseline.merge(
        stored, on=["store_id", "sku_id", "date"], how="outer", suffixes=("_b", "")
    )
    both["forecast"] = both["forecast"].fillna(both["forecast_b"])
    return both[["store_id", "sku_id", "date", "forecast"]].dropna()


def same_weekday_baseline(sales: pd.DataFrame, date_from: date, date_to: date) -> pd.DataFrame:
    """Per series and day in range: the mean of the same weekday over the previous four
    weeks of sales (days without a row count as zero), for series with any sale then."""
    columns = ["store_id", "sku_id", "date", "forecast"]
    if sales.empty:
        return pd.DataFrame(columns=columns)
    days = pd.date_range(date_from - timedelta(weeks=BASELINE_WEEKS), date_to)
    wide = sales.assign(date=pd.to_datetime(sales["date"])).pivot_table(
        index="date", columns=["store_id", "sku_id"], values="quantity", aggfunc="sum"
    )
    wide = wide.reindex(days).fillna(0.0)
    wide.index.name = "date"
    lagged = sum(wide.shift(7 * k).to_numpy() for k in range(1, BASELINE_WEEKS + 1))
    mean = pd.DataFrame(lagged / BASELINE_WEEKS, index=wide.index, columns=wide.columns)
    mean = mean.loc[pd.Timestamp(date_from) :]
    long = mean.stack(["store_id", "sku_id"], future_stack=True).rename("forecast").reset_index()
    long["date"] = long["date"].dt.date
    return long[np.isfinite(long["forecast"])][columns]
