"""Loading what a scan reads, in bulk: a handful of queries for the whole company.

The periods scored (``date_from``–``date_to``) come with ``CONTEXT_DAYS`` of history before
them: the seasonal baseline needs its weeks, a phantom-stock run its start, and a stock
count its previous count. Past periods are expected from the stored backtest points
(forecasts made before them); periods after the latest forecast origin from the stored
forecast; the rest fall back to the engine's seasonal baseline.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from django.db.models import Max, Min

from anomalies.engine.panel import ScanInputs
from forecasting.models import BacktestPoint, Forecast, Granularity
from history.bulk import frame_from_copy
from history.models import CalendarEvent, Grain, MissingPeriod, SalesFact, StoreClosure
from masterdata.models import SKU, Store

CONTEXT_DAYS = 182


def _frame(queryset, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(list(queryset.values_list(*columns)), columns=columns)


def sales_date_range() -> tuple[dt.date | None, dt.date | None]:
    """The first and last day of daily sales, as dates on every database (SQLite's raw
    queries answer text)."""
    span = SalesFact.objects.filter(grain=Grain.DAY).aggregate(first=Min("date"), last=Max("date"))
    return span["first"], span["last"]


def _sales(since: dt.date, until: dt.date) -> pd.DataFrame:
    sql = (
        "SELECT store_id, sku_id, CAST(date AS TEXT), quantity, price, on_promotion "
        "FROM history_salesfact WHERE grain = %s AND date >= %s AND date <= %s"
    )
    columns = ["store_id", "sku_id", "date", "quantity", "price", "on_promotion"]
    facts = frame_from_copy(sql, [Grain.DAY, since, until], columns)
    if facts.empty:
        return pd.DataFrame(columns=columns)
    facts["date"] = pd.to_datetime(facts["date"], format="%Y-%m-%d")
    for column in ("quantity", "price"):
        facts[column] = pd.to_numeric(facts[column], errors="coerce").astype(float)
    facts["on_promotion"] = facts["on_promotion"].isin([True, 1, "t"])
    # A row with only a sales value has no units to score: it still proves the feed.
    facts["quantity"] = facts["quantity"].fillna(0.0)
    return facts


def _stock(since: dt.date, until: dt.date) -> pd.DataFrame:
    sql = (
        "SELECT store_id, sku_id, CAST(date AS TEXT), on_hand FROM history_inventorysnapshot "
        "WHERE store_id IS NOT NULL AND date >= %s AND date <= %s"
    )
    columns = ["store_id", "sku_id", "date", "on_hand"]
    frame = frame_from_copy(sql, [since, until], columns)
    if not frame.empty:
        frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d")
        frame["on_hand"] = frame["on_hand"].astype(float)
    return frame


def _orders(since: dt.date, until: dt.date) -> pd.DataFrame:
    sql = (
        "SELECT order_ref, store_id, sku_id, CAST(ordered_on AS TEXT), "
        "CAST(promised_on AS TEXT), CAST(received_on AS TEXT), quantity_ordered, "
        "quantity_received FROM history_supplyorder WHERE store_id IS NOT NULL "
        "AND (received_on IS NULL OR received_on >= %s) AND ordered_on <= %s"
    )
    columns = [
        "order_ref",
        "store_id",
        "sku_id",
        "ordered_on",
        "promised_on",
        "received_on",
        "quantity_ordered",
        "quantity_received",
    ]
    frame = frame_from_copy(sql, [since, until], columns)
    for column in ("ordered_on", "promised_on", "received_on"):
        frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d", errors="coerce")
    for column in ("quantity_ordered", "quantity_received"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame


def _expected(since: dt.date, until: dt.date) -> pd.DataFrame:
    """Stored expectations of daily periods: backtest points, then forecasts (the latest
    origin before each date), each with its band where one was stored."""
    columns = ["store_id", "sku_id", "date", "expected", "low", "high"]
    backtest = _frame(
        BacktestPoint.objects.filter(
            granularity=Granularity.DAILY, date__gte=since, date__lte=until
        ),
        ["store_id", "sku_id", "date", "forecast"],
    ).rename(columns={"forecast": "expected"})
    forecast = _frame(
        Forecast.objects.filter(
            granularity=Granularity.DAILY, date__gte=since, date__lte=until, origin__lt=until
        ).order_by("origin"),
        ["store_id", "sku_id", "date", "forecast", "p10", "p90"],
    ).rename(columns={"forecast": "expected", "p10": "low", "p90": "high"})
    frame = pd.concat([backtest, forecast], ignore_index=True)
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame = frame.drop_duplicates(["store_id", "sku_id", "date"], keep="last")
    frame["date"] = pd.to_datetime(frame["date"])
    for column in ("low", "high"):
        if column not in frame:
            frame[column] = float("nan")
    return frame[columns]


def _calendar(since: dt.date, until: dt.date, stores: pd.DataFrame) -> pd.DataFrame:
    """Calendar events as one row per store they apply to (the whole company, a region's
    stores, or one store)."""
    columns = ["store_id", "date", "name"]
    events = _frame(
        CalendarEvent.objects.filter(date__gte=since, date__lte=until),
        ["date", "name", "region_id", "store_id"],
    )
    if events.empty or stores.empty:
        return pd.DataFrame(columns=columns)
    everywhere = events[events["region_id"].isna() & events["store_id"].isna()]
    company = everywhere[["date", "name"]].merge(stores[["store_id"]], how="cross")
    regional = events[events["region_id"].notna() & events["store_id"].isna()].merge(
        stores[["store_id", "region_id"]].rename(columns={"store_id": "in_region"}),
        on="region_id",
    )
    regional["store_id"] = regional["in_region"]
    own = events[events["store_id"].notna()]
    frame = pd.concat([company, regional[columns], own[columns]], ignore_index=True)
    frame["store_id"] = frame["store_id"].astype("int64")
    frame["date"] = pd.to_datetime(frame["date"])
    return frame[columns]


def scan_inputs_load(*, date_from: dt.date, date_to: dt.date) -> ScanInputs:
    """Everything the engine reads to score ``date_from``–``date_to`` (with context)."""
    since = date_from - dt.timedelta(days=CONTEXT_DAYS)
    closures = _frame(
        StoreClosure.objects.filter(end_date__gte=since, start_date__lte=date_to),
        ["store_id", "start_date", "end_date"],
    )
    missing = _frame(
        MissingPeriod.objects.filter(grain=Grain.DAY, date__gte=since, date__lte=date_to),
        ["store_id", "date"],
    )
    skus = _frame(
        SKU.objects.all(), ["id", "code", "name", "unit_price", "unit_cost", "category_id"]
    ).rename(columns={"id": "sku_id"})
    for column in ("unit_price", "unit_cost"):
        skus[column] = pd.to_numeric(skus[column], errors="coerce").astype(float)
    stores = _frame(Store.objects.all(), ["id", "code", "name", "region_id"]).rename(
        columns={"id": "store_id"}
    )
    return ScanInputs(
        sales=_sales(since, date_to),
        skus=skus,
        stores=stores,
        score_from=pd.Timestamp(date_from),
        score_to=pd.Timestamp(date_to),
        stock=_stock(since, date_to),
        orders=_orders(since, date_to),
        closures=closures,
        missing=missing,
        expected=_expected(since, date_to),
        calendar=_calendar(since, date_to, stores),
    )
