"""A pilot's KPIs per store and day, computed the same way for both groups.

Each KPI is kept per day as a numerator and a denominator, so any period's figure is exact:
the sum of its numerators over the sum of its denominators (WAPE: absolute errors over units
sold, also counting the error of a day that sold nothing; fill rate: units served over
demand; excess stock: excess value over stock value; cost: currency over days).

Inputs are plain frames:

- ``sales``: ``store_id, sku_id, date, quantity`` (units sold; missing rows are zero);
- ``forecasts``: ``store_id, sku_id, date, forecast`` (what was expected for the day before
  it happened);
- ``stock``: ``store_id, sku_id, date, on_hand`` (end of day);
- ``receipts``: ``store_id, sku_id, date, quantity`` (deliveries received);
- ``unit_cost``: a Series indexed by ``sku_id``;
- ``verdicts``: ``store_id, date, confirmed`` (one row per alert closed that day).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

KEYS = ["store_id", "sku_id", "date"]
COLUMNS = ["store_id", "date", "kpi", "numerator", "denominator"]


@dataclass(frozen=True)
class CostRates:
    """Holding cost per year as a share of unit cost, per order line, per unit delivered."""

    holding_rate_per_year: float
    order_cost: float
    transport_cost_per_unit: float
    excess_cover_days: int


def store_daily_kpis(
    *,
    sales: pd.DataFrame,
    forecasts: pd.DataFrame,
    stock: pd.DataFrame,
    receipts: pd.DataFrame,
    unit_cost: pd.Series,
    verdicts: pd.DataFrame,
    rates: CostRates,
) -> pd.DataFrame:
    """Every KPI of every store and day the inputs cover, in long form (``COLUMNS``)."""
    days = _series_days(sales, forecasts, stock)
    parts = [
        _forecast_errors(days),
        _service(days),
        _stock_figures(days, unit_cost, rates),
        _cycle_service_level(days, receipts),
        _costs(days, receipts, unit_cost, rates),
        _alerts_confirmed(verdicts),
    ]
    parts = [p for p in parts if len(p)]
    if not parts:  # stores without history in the window: nothing to measure, not an error
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(parts, ignore_index=True)[COLUMNS]


def period_value(kpis: pd.DataFrame) -> pd.DataFrame:
    """Per store and KPI, the figure of the days given: their numerators over their
    denominators (``value``), beside both sums."""
    columns = ["store_id", "kpi", "value", "numerator", "denominator"]
    if kpis.empty:
        return pd.DataFrame(columns=columns)
    grouped = kpis.groupby(["store_id", "kpi"], as_index=False)[["numerator", "denominator"]].sum()
    grouped = grouped[grouped["denominator"] > 0].copy()
    grouped["value"] = grouped["numerator"] / grouped["denominator"]
    return grouped[columns]


def _series_days(sales, forecasts, stock) -> pd.DataFrame:
    """One row per store × SKU × day with a forecast or stock: sales (0 if none),
    forecast, stock at the end of the day and at the end of the day before."""
    frame = forecasts[[*KEYS, "forecast"]].merge(stock[[*KEYS, "on_hand"]], on=KEYS, how="outer")
    frame = frame.merge(sales[[*KEYS, "quantity"]], on=KEYS, how="left")
    frame["quantity"] = frame["quantity"].fillna(0.0)
    frame = frame.sort_values(KEYS, ignore_index=True)
    previous = frame.groupby(["store_id", "sku_id"])["on_hand"].shift(1)
    frame["opening"] = previous.fillna(frame["on_hand"] + frame["quantity"])
    return frame


def _long(frame: pd.DataFrame, kpi: str, numerator, denominator) -> pd.DataFrame:
    """Rows of one KPI; a day with nothing to count (0 over 0) is left out."""
    out = frame[["store_id", "date"]].copy()
    out["kpi"] = kpi
    out["numerator"] = np.asarray(numerator, dtype=float)
    out["denominator"] = np.broadcast_to(np.asarray(denominator, dtype=float), len(out))
    return out[(out["denominator"] > 0) | (out["numerator"] != 0)]


def _forecast_errors(days: pd.DataFrame) -> pd.DataFrame:
    """MAPE as the seed defines it (over non-zero days) and WAPE beside it."""
    known = days.dropna(subset=["forecast"])
    error = (known["forecast"] - known["quantity"]).abs()
    sold = known[known["quantity"] > 0]
    ape = (sold["forecast"] - sold["quantity"]).abs() / sold["quantity"]
    mape = (
        sold.assign(ape=ape)
        .groupby(["store_id", "date"], as_index=False)
        .agg(ape=("ape", "sum"), days=("ape", "size"))
    )
    wape = (
        known.assign(error=error)
        .groupby(["store_id", "date"], as_index=False)
        .agg(error=("error", "sum"), sold=("quantity", "sum"))
    )
    return pd.concat(
        [
            _long(mape, "mape", mape["ape"], mape["days"]),
            _long(wape, "wape", wape["error"], wape["sold"]),
        ]
    )


def _service(days: pd.DataFrame) -> pd.DataFrame:
    """Fill rate (units served over demand, demand on empty-shelf days estimated by the
    forecast) and stock-out days (series out of stock while demand was expected)."""
    known = days.dropna(subset=["on_hand", "forecast"])
    out = (known["on_hand"] <= 0) & (known["forecast"] > 0)
    lost = np.where(out, np.maximum(known["forecast"] - known["quantity"], 0), 0.0)
    demand = known["quantity"] + lost
    per_day = known.assign(served=known["quantity"], demand=demand, out=out.astype(float))
    grouped = per_day.groupby(["store_id", "date"], as_index=False).agg(
        served=("served", "sum"), demand=("demand", "sum"), stockouts=("out", "sum")
    )
    return pd.concat(
        [
            _long(grouped, "fill_rate", grouped["served"], grouped["demand"]),
            _long(grouped, "stockouts", grouped["stockouts"], 1.0),
        ]
    )


def _stock_figures(days: pd.DataFrame, unit_cost: pd.Series, rates: CostRates) -> pd.DataFrame:
    """Excess stock (value beyond the next ``excess_cover_days`` of forecast demand, as a
    share of stock value) and turnover (cost of goods sold over stock value, a year's worth)."""
    known = days.dropna(subset=["on_hand"]).copy()
    cost = known["sku_id"].map(unit_cost).fillna(0.0).to_numpy()
    days = rates.excess_cover_days
    # The mean forecast of the next ``days`` days (fewer near the end of the data).
    ahead = known.groupby(["store_id", "sku_id"])["forecast"].transform(
        lambda f: f.fillna(0)[::-1].rolling(days, min_periods=1).mean()[::-1]
    )
    cover = ahead * days
    known["stock_value"] = known["on_hand"].clip(lower=0) * cost
    known["excess_value"] = (known["on_hand"] - cover).clip(lower=0) * cost
    known["sold_value"] = known["quantity"] * cost
    grouped = known.groupby(["store_id", "date"], as_index=False)[
        ["stock_value", "excess_value", "sold_value"]
    ].sum()
    return pd.concat(
        [
            _long(grouped, "excess_stock", grouped["excess_value"], grouped["stock_value"]),
            _long(grouped, "turnover", grouped["sold_value"] * 365, grouped["stock_value"]),
        ]
    )


def _cycle_service_level(days: pd.DataFrame, receipts: pd.DataFrame) -> pd.DataFrame:
    """Cycle service level: of the replenishment cycles (receipt to receipt) that ended on a
    day, the share with no stock-out while demand was expected."""
    known = days.dropna(subset=["on_hand"]).copy()
    if known.empty or receipts.empty:
        return pd.DataFrame(columns=COLUMNS)
    arrived = receipts.groupby(KEYS, as_index=False)["quantity"].sum().assign(receipt=True)
    known = known.merge(arrived[[*KEYS, "receipt"]], on=KEYS, how="left")
    known["receipt"] = known["receipt"].fillna(False).astype(bool)
    known["out"] = (known["on_hand"] <= 0) & (known["forecast"].fillna(0) > 0)
    known["cycle"] = known.groupby(["store_id", "sku_id"])["receipt"].cumsum()
    cycles = (
        known[known["cycle"] > 0]
        .groupby(["store_id", "sku_id", "cycle"], as_index=False)
        .agg(date=("date", "max"), stocked_out=("out", "any"), closed=("receipt", "size"))
    )
    last = cycles.groupby(["store_id", "sku_id"])["cycle"].transform("max")
    cycles = cycles[cycles["cycle"] < last]  # the open cycle has not ended yet
    per_day = cycles.groupby(["store_id", "date"], as_index=False).agg(
        ok=("stocked_out", lambda s: float((~s).sum())), cycles=("stocked_out", "size")
    )
    return _long(per_day, "cycle_service_level", per_day["ok"], per_day["cycles"])


def _costs(
    days: pd.DataFrame, receipts: pd.DataFrame, unit_cost: pd.Series, rates: CostRates
) -> pd.DataFrame:
    """Inventory and logistics cost per store and day: holding the stock, ordering the lines
    received and transporting their units, in currency."""
    known = days.dropna(subset=["on_hand"])
    cost = known["sku_id"].map(unit_cost).fillna(0.0)
    holding = (
        (known["on_hand"].clip(lower=0) * cost * rates.holding_rate_per_year / 365)
        .groupby([known["store_id"], known["date"]])
        .sum()
    )
    logistics = holding * 0
    if len(receipts):
        logistics = receipts.groupby(["store_id", "date"]).agg(
            lines=("quantity", "size"), units=("quantity", "sum")
        )
        logistics = (
            logistics["lines"] * rates.order_cost
            + logistics["units"] * rates.transport_cost_per_unit
        )
    total = holding.add(logistics, fill_value=0.0).rename("value").reset_index()
    return _long(total, "cost", total["value"], 1.0)


def _alerts_confirmed(verdicts: pd.DataFrame) -> pd.DataFrame:
    """The share of the store's alerts closed that day that operators confirmed."""
    if verdicts.empty:
        return pd.DataFrame(columns=COLUMNS)
    grouped = verdicts.groupby(["store_id", "date"], as_index=False).agg(
        confirmed=("confirmed", "sum"), closed=("confirmed", "size")
    )
    return _long(grouped, "alerts_confirmed", grouped["confirmed"], grouped["closed"])
