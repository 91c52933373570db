"""Everything the policy engine and the simulation need, read in bulk within a ``Scope``.

One ``policy_inputs_load`` call issues a handful of queries (forecasts, backtest errors,
receipts, the last stock snapshot, recent sales, SKU master data), whatever the number of
series, and returns plain pandas frames aligned on one series index, so the engines stay
pure functions over arrays.

A series is a store × SKU with a forecast at the latest daily origin, plus a warehouse × SKU
wherever the data holds warehouse stock or warehouse supply orders; a warehouse's demand is
the sum of the forecasts of the stores it serves (variances add: store errors independent).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from accounts.scoping import Scope
from forecasting.models import BacktestPoint, Forecast, Granularity
from forecasting.selectors import latest_origin, scope_q
from history.models import Grain, InventorySnapshot, SalesFact, SupplyOrder
from masterdata.models import SKU, Store, Warehouse

# A p10–p90 band spans 2 × 1.2816 standard deviations of a normal error.
P10_P90_WIDTH_IN_SD = 2.0 * 1.2815515655446004
HISTORY_DAYS = 56
RECEIPTS_LOOKBACK_DAYS = 365
MIN_RECEIPTS_PER_SERIES = 3
MAX_LEAD_TIME_SAMPLES = 60
SNAPSHOT_LOOKBACK_DAYS = 35
MIN_DAILY_SHAPE = 0.25


class PolicyInputsError(ValueError):
    """The data cannot support a policy run (no daily forecast, unknown origin)."""


@dataclass(frozen=True)
class PolicyInputs:
    """Aligned frames, one row per series (``series.index`` is 0..n-1 everywhere).

    ``series`` columns:
      location_kind ("store" | "warehouse"), store_id, warehouse_id (nullable Int64),
      sku_id, store_code, warehouse_code, sku_code, sku_name, category_id;
      demand_per_day (mean daily forecast over the horizon, units),
      demand_sd_per_day (mean daily forecast error SD over the horizon, units),
      error_source ("quantiles": from the p10–p90 band; "backtest": RMSE of backtest errors
      where the band is degenerate; "poisson": √mean when neither is known),
      backtest_rmse (units per day, NaN without backtest points);
      lead_time_days, lead_time_sd_days (measured received − ordered), lead_time_source
      ("receipts": this series' receipts; "sku_receipts": pooled over the SKU's locations of
      the same kind; "nominal": ``SKU.lead_time_days``, SD 0), receipts (count used);
      on_hand, on_order, stock_date (last snapshot on or before ``as_of``, 0 without one);
      unit_cost, unit_price (currency per unit; cost falls back to 0.6 × price, then 1),
      moq, case_pack (units), shelf_life_days (NaN: not perishable);
      history_mean_per_day (mean daily sales over the last ``HISTORY_DAYS`` days).
    ``forecast_mean`` / ``forecast_sd``: n × horizon_days, columns are the forecast dates,
      the daily mean and error SD (seasonality and promotions are in here).
    ``history``: n × ``HISTORY_DAYS`` daily sales up to ``as_of`` (0 where none recorded).
    ``lead_time_samples``: long frame (series, lead_time_days) of observed lead times, the
      empirical distribution the simulation draws from (the nominal one where none).
    """

    as_of: date
    horizon_days: int
    series: pd.DataFrame
    forecast_mean: pd.DataFrame
    forecast_sd: pd.DataFrame
    history: pd.DataFrame
    lead_time_samples: pd.DataFrame


def policy_inputs_load(
    *,
    scope: Scope,
    as_of: date | None = None,
    horizon_days: int = 28,
    sku_ids: Collection[int] | None = None,
) -> PolicyInputs:
    """Load the policy inputs of every series in ``scope`` from the daily forecast made at
    ``as_of`` (default: the latest daily origin); only of ``sku_ids`` when given (a chunk of
    a plan run: whole SKUs, so warehouse sums and pooled lead times are complete)."""
    if horizon_days < 1:
        raise PolicyInputsError("The horizon must be at least one day.")
    origin = as_of or latest_origin(Granularity.DAILY)
    if origin is None:
        raise PolicyInputsError("No daily forecast exists yet: run `forecast --granularity daily`.")
    dates = pd.date_range(origin + timedelta(days=1), periods=horizon_days, freq="D")
    forecasts = _forecast_rows(scope, origin, dates, sku_ids)
    if forecasts.empty:
        raise PolicyInputsError(f"No daily forecast made at {origin} covers a series in scope.")
    store_keys = (
        forecasts[["store_id", "sku_id"]].drop_duplicates().sort_values(["store_id", "sku_id"])
    )
    store_series = store_keys.reset_index(drop=True).assign(location_kind="store")
    mean = _wide(forecasts, store_series, "forecast", dates)
    sd = _wide(forecasts, store_series, "sd", dates)
    bt_rmse = _backtest_rmse(scope, store_series, sku_ids)
    sd = _plausible_sd(_fill_degenerate_sd(sd, mean, bt_rmse), mean)
    error_source = np.where(
        forecasts.groupby(["store_id", "sku_id"])["band"]
        .max()
        .reindex(pd.MultiIndex.from_frame(store_series[["store_id", "sku_id"]]))
        .to_numpy()
        > 0,
        "quantiles",
        np.where(np.isfinite(bt_rmse), "backtest", "poisson"),
    )
    store_series = store_series.assign(error_source=error_source, backtest_rmse=bt_rmse)

    warehouse_series, wh_mean, wh_sd = _warehouse_series(scope, store_series, mean, sd, sku_ids)
    series = pd.concat([store_series, warehouse_series], ignore_index=True)
    mean = pd.concat([mean, wh_mean], ignore_index=True)
    sd = pd.concat([sd, wh_sd], ignore_index=True)

    series["demand_per_day"] = mean.mean(axis=1).to_numpy()
    series["demand_sd_per_day"] = np.sqrt((sd**2).mean(axis=1)).to_numpy()
    series = _with_sku_master(series)
    series = _with_names(series)
    series, samples = _with_lead_times(scope, series, origin, sku_ids)
    series = _with_stock(scope, series, origin)
    history = _history(scope, series, origin, sku_ids)
    series["history_mean_per_day"] = history.mean(axis=1).to_numpy()
    return PolicyInputs(
        as_of=origin,
        horizon_days=horizon_days,
        series=series,
        forecast_mean=mean,
        forecast_sd=sd,
        history=history,
        lead_time_samples=samples,
    )


def _of_skus(queryset, sku_ids: Collection[int] | None):
    return queryset if sku_ids is None else queryset.filter(sku_id__in=list(sku_ids))


def _forecast_rows(
    scope: Scope, origin: date, dates: pd.DatetimeIndex, sku_ids: Collection[int] | None
) -> pd.DataFrame:
    rows = (
        _of_skus(Forecast.objects.filter(scope_q(scope)), sku_ids)
        .filter(
            granularity=Granularity.DAILY,
            origin=origin,
            date__gte=dates[0].date(),
            date__lte=dates[-1].date(),
        )
        .values_list("store_id", "sku_id", "date", "forecast", "p10", "p90")
    )
    frame = pd.DataFrame(
        list(rows), columns=["store_id", "sku_id", "date", "forecast", "p10", "p90"]
    )
    frame["date"] = pd.to_datetime(frame["date"])
    frame["forecast"] = frame["forecast"].clip(lower=0.0)
    frame["band"] = (frame["p90"] - frame["p10"]).clip(lower=0.0)
    frame["sd"] = frame["band"] / P10_P90_WIDTH_IN_SD
    return frame


def _wide(
    rows: pd.DataFrame, keys: pd.DataFrame, column: str, dates: pd.DatetimeIndex
) -> pd.DataFrame:
    """Rows × dates matrix aligned on ``keys``; a missing day counts as zero demand."""
    table = rows.pivot_table(
        index=["store_id", "sku_id"], columns="date", values=column, aggfunc="sum"
    )
    index = pd.MultiIndex.from_frame(keys[["store_id", "sku_id"]])
    table = table.reindex(index=index, columns=dates).fillna(0.0)
    return pd.DataFrame(table.to_numpy(dtype=float), columns=dates)


def _backtest_rmse(scope: Scope, keys: pd.DataFrame, sku_ids: Collection[int] | None) -> np.ndarray:
    rows = (
        _of_skus(BacktestPoint.objects.filter(scope_q(scope)), sku_ids)
        .filter(granularity=Granularity.DAILY)
        .values_list("store_id", "sku_id", "forecast", "actual")
    )
    frame = pd.DataFrame(list(rows), columns=["store_id", "sku_id", "forecast", "actual"])
    if frame.empty:
        return np.full(len(keys), np.nan)
    frame["sq"] = (frame["actual"] - frame["forecast"]) ** 2
    rmse = np.sqrt(frame.groupby(["store_id", "sku_id"])["sq"].mean())
    index = pd.MultiIndex.from_frame(keys[["store_id", "sku_id"]])
    return rmse.reindex(index).to_numpy(dtype=float)


def _fill_degenerate_sd(sd: pd.DataFrame, mean: pd.DataFrame, rmse: np.ndarray) -> pd.DataFrame:
    """Where the band has no width (a flat-zero model), use the backtest RMSE, else √mean."""
    values = sd.to_numpy().copy()
    flat = values.max(axis=1) <= 0
    fallback = np.where(np.isfinite(rmse), rmse, np.nan)
    poisson = np.sqrt(mean.to_numpy())
    values[flat] = np.where(
        np.isfinite(fallback[flat])[:, None], fallback[flat][:, None], poisson[flat]
    )
    return pd.DataFrame(values, columns=sd.columns)


def _plausible_sd(sd: pd.DataFrame, mean: pd.DataFrame) -> pd.DataFrame:
    """Cap each day's error variance at a negative binomial's of shape ``MIN_DAILY_SHAPE``.

    Quantiles are whole units: a p10–p90 band of 0–1 around a mean of 0.001 units is
    rounding, not spread, and read literally it would make one sale in a thousand days look
    like a lump of hundreds.
    """
    m = mean.to_numpy()
    cap = np.sqrt(m + m**2 / MIN_DAILY_SHAPE)
    return pd.DataFrame(np.minimum(sd.to_numpy(), cap), columns=sd.columns)


def _warehouse_series(
    scope: Scope,
    stores: pd.DataFrame,
    mean: pd.DataFrame,
    sd: pd.DataFrame,
    sku_ids: Collection[int] | None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Warehouse × SKU series where the data has warehouse stock or warehouse orders."""
    located = set(
        _of_skus(InventorySnapshot.objects.visible_to(scope), sku_ids)
        .filter(warehouse__isnull=False)
        .values_list("warehouse_id", "sku_id")
        .distinct()
    ) | set(
        _of_skus(SupplyOrder.objects.visible_to(scope), sku_ids)
        .filter(warehouse__isnull=False)
        .values_list("warehouse_id", "sku_id")
        .distinct()
    )
    empty = pd.DataFrame(columns=mean.columns, dtype=float)
    if not located:
        return pd.DataFrame(columns=["warehouse_id", "sku_id", "location_kind"]), empty, empty
    store_wh = dict(Store.objects.values_list("id", "warehouse_id"))
    served_by = stores["store_id"].map(store_wh)
    keys = pd.DataFrame(sorted(located), columns=["warehouse_id", "sku_id"])
    member = pd.DataFrame({"warehouse_id": served_by, "sku_id": stores["sku_id"]})
    target = _positions(member, keys)
    wh_mean = pd.DataFrame(_sum_into(mean.to_numpy(), target, len(keys)), columns=mean.columns)
    wh_var = _sum_into(sd.to_numpy() ** 2, target, len(keys))
    wh_sd = pd.DataFrame(np.sqrt(wh_var), columns=mean.columns)
    keys = keys.assign(location_kind="warehouse", error_source="quantiles", backtest_rmse=np.nan)
    return keys, wh_mean, wh_sd


def _with_sku_master(series: pd.DataFrame) -> pd.DataFrame:
    skus = pd.DataFrame(
        list(
            SKU.objects.filter(id__in=series["sku_id"].unique()).values_list(
                "id",
                "code",
                "name",
                "category_id",
                "unit_cost",
                "unit_price",
                "lead_time_days",
                "min_order_qty",
                "case_pack",
                "shelf_life_days",
            )
        ),
        columns=[
            "sku_id",
            "sku_code",
            "sku_name",
            "category_id",
            "unit_cost",
            "unit_price",
            "nominal_lead_time_days",
            "moq",
            "case_pack",
            "shelf_life_days",
        ],
    )
    for column in ("unit_cost", "unit_price", "shelf_life_days"):
        skus[column] = pd.to_numeric(skus[column], errors="coerce").astype(float)
    skus["unit_cost"] = skus["unit_cost"].fillna(0.6 * skus["unit_price"]).fillna(1.0)
    skus["unit_price"] = skus["unit_price"].fillna(skus["unit_cost"] / 0.6)
    return series.merge(skus, on="sku_id", how="left")


def _with_names(series: pd.DataFrame) -> pd.DataFrame:
    store_codes = dict(Store.objects.values_list("id", "code"))
    wh_codes = dict(Warehouse.objects.values_list("id", "code"))
    series["store_id"] = series["store_id"].astype("Int64")
    series["warehouse_id"] = series["warehouse_id"].astype("Int64")
    series["store_code"] = series["store_id"].map(store_codes)
    series["warehouse_code"] = series["warehouse_id"].map(wh_codes)
    return series


def _with_lead_times(
    scope: Scope, series: pd.DataFrame, origin: date, sku_ids: Collection[int] | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = (
        _of_skus(SupplyOrder.objects.visible_to(scope), sku_ids)
        .filter(
            received_on__isnull=False,
            ordered_on__gt=origin - timedelta(days=RECEIPTS_LOOKBACK_DAYS),
            ordered_on__lte=origin,
        )
        .values_list("store_id", "warehouse_id", "sku_id", "ordered_on", "received_on")
    )
    receipts = pd.DataFrame(
        list(rows), columns=["store_id", "warehouse_id", "sku_id", "ordered_on", "received_on"]
    )
    receipts["lead"] = (
        pd.to_datetime(receipts["received_on"]) - pd.to_datetime(receipts["ordered_on"])
    ).dt.days.astype(float)
    receipts["kind"] = np.where(receipts["store_id"].notna(), "store", "warehouse")
    receipts["loc"] = receipts["store_id"].fillna(receipts["warehouse_id"]).astype("Int64")
    receipts = receipts.sort_values("ordered_on")

    loc = series["store_id"].fillna(series["warehouse_id"]).astype("Int64")
    key = pd.DataFrame(
        {
            "series": series.index,
            "kind": series["location_kind"],
            "loc": loc,
            "sku_id": series["sku_id"],
        }
    )
    per_series = key.merge(
        receipts[["kind", "loc", "sku_id", "lead"]], on=["kind", "loc", "sku_id"]
    )
    per_series = per_series.groupby("series").tail(MAX_LEAD_TIME_SAMPLES)
    counts = per_series.groupby("series").size().reindex(series.index, fill_value=0)
    own = counts >= MIN_RECEIPTS_PER_SERIES

    pooled = key[~own.to_numpy()].merge(receipts[["kind", "sku_id", "lead"]], on=["kind", "sku_id"])
    pooled = pooled.groupby("series").tail(MAX_LEAD_TIME_SAMPLES)
    pooled_counts = pooled.groupby("series").size().reindex(series.index, fill_value=0)
    use_pool = ~own & (pooled_counts >= MIN_RECEIPTS_PER_SERIES)
    nominal = ~own & ~use_pool

    samples = pd.concat(
        [
            per_series.loc[per_series["series"].isin(series.index[own]), ["series", "lead"]],
            pooled.loc[pooled["series"].isin(series.index[use_pool]), ["series", "lead"]],
            pd.DataFrame(
                {
                    "series": series.index[nominal],
                    "lead": series.loc[nominal, "nominal_lead_time_days"].astype(float),
                }
            ),
        ],
        ignore_index=True,
    ).rename(columns={"lead": "lead_time_days"})
    stats = samples.groupby("series")["lead_time_days"].agg(["mean", "std", "size"])
    stats = stats.reindex(series.index)
    series["lead_time_days"] = stats["mean"].to_numpy()
    series["lead_time_sd_days"] = stats["std"].fillna(0.0).to_numpy()
    series["receipts"] = np.where(nominal, 0, stats["size"].to_numpy()).astype(int)
    series["lead_time_source"] = np.select(
        [own.to_numpy(), use_pool.to_numpy()], ["receipts", "sku_receipts"], "nominal"
    )
    return series, samples.sort_values(["series"]).reset_index(drop=True)


def _with_stock(scope: Scope, series: pd.DataFrame, origin: date) -> pd.DataFrame:
    rows = (
        InventorySnapshot.objects.visible_to(scope)
        .filter(
            date__gt=origin - timedelta(days=SNAPSHOT_LOOKBACK_DAYS),
            date__lte=origin,
            sku_id__in=series["sku_id"].unique(),
        )
        .values_list("store_id", "warehouse_id", "sku_id", "date", "on_hand", "on_order")
    )
    snaps = pd.DataFrame(
        list(rows),
        columns=["store_id", "warehouse_id", "sku_id", "stock_date", "on_hand", "on_order"],
    )
    snaps["kind"] = np.where(snaps["store_id"].notna(), "store", "warehouse")
    snaps["loc"] = snaps["store_id"].fillna(snaps["warehouse_id"]).astype("Int64")
    snaps = snaps.sort_values("stock_date").groupby(["kind", "loc", "sku_id"]).tail(1)
    loc = series["store_id"].fillna(series["warehouse_id"]).astype("Int64")
    key = pd.DataFrame({"kind": series["location_kind"], "loc": loc, "sku_id": series["sku_id"]})
    merged = key.merge(
        snaps[["kind", "loc", "sku_id", "stock_date", "on_hand", "on_order"]],
        on=["kind", "loc", "sku_id"],
        how="left",
    )
    series["on_hand"] = merged["on_hand"].fillna(0.0).to_numpy()
    series["on_order"] = merged["on_order"].fillna(0.0).to_numpy()
    series["stock_date"] = merged["stock_date"].to_numpy()
    return series


def _history(
    scope: Scope, series: pd.DataFrame, origin: date, sku_ids: Collection[int] | None
) -> pd.DataFrame:
    """Daily sales of the last ``HISTORY_DAYS`` days; a warehouse's is its stores' sum."""
    dates = pd.date_range(origin - timedelta(days=HISTORY_DAYS - 1), origin, freq="D")
    rows = (
        _of_skus(SalesFact.objects.filter(scope_q(scope)), sku_ids)
        .filter(grain=Grain.DAY, date__gte=dates[0].date(), date__lte=origin)
        .values_list("store_id", "sku_id", "date", "quantity")
    )
    sales = pd.DataFrame(list(rows), columns=["store_id", "sku_id", "date", "quantity"])
    sales["date"] = pd.to_datetime(sales["date"])
    sales["quantity"] = sales["quantity"].fillna(0.0)
    stores = series[series["location_kind"] == "store"]
    table = sales.pivot_table(
        index=["store_id", "sku_id"], columns="date", values="quantity", aggfunc="sum"
    )
    index = pd.MultiIndex.from_arrays(
        [stores["store_id"].astype(int).to_numpy(), stores["sku_id"].to_numpy()]
    )
    store_hist = table.reindex(index=index, columns=dates).fillna(0.0).to_numpy()
    values = np.zeros((len(series), len(dates)))
    values[stores.index.to_numpy()] = store_hist
    warehouses = series[series["location_kind"] == "warehouse"]
    if len(warehouses):
        store_wh = dict(Store.objects.values_list("id", "warehouse_id"))
        member = pd.DataFrame(
            {
                "warehouse_id": stores["store_id"].astype(int).map(store_wh).to_numpy(),
                "sku_id": stores["sku_id"].to_numpy(),
            }
        )
        keys = warehouses[["warehouse_id", "sku_id"]].astype("int64").reset_index(drop=True)
        target = _positions(member, keys)
        values[warehouses.index.to_numpy()] = _sum_into(store_hist, target, len(keys))
    return pd.DataFrame(values, columns=dates)


def _positions(member: pd.DataFrame, keys: pd.DataFrame) -> np.ndarray:
    """For each store row, the position of its (warehouse, SKU) in ``keys``, or −1."""
    index = pd.MultiIndex.from_frame(keys[["warehouse_id", "sku_id"]].astype("int64"))
    lookup = pd.MultiIndex.from_arrays(
        [
            pd.to_numeric(member["warehouse_id"], errors="coerce").fillna(-1).astype("int64"),
            member["sku_id"].astype("int64"),
        ]
    )
    return index.get_indexer(lookup)


def _sum_into(rows: np.ndarray, target: np.ndarray, size: int) -> np.ndarray:
    """Sum store rows into their warehouse rows (target −1: served by no listed warehouse)."""
    out = np.zeros((size, rows.shape[1]))
    keep = target >= 0
    np.add.at(out, target[keep], rows[keep])
    return out
