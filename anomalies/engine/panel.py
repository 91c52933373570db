"""The scan's inputs as frames, and the same facts as (periods × series) matrices.

A series is one store × SKU. Inside its life (first to last reported period) a period
without a row is no sales (0); a closed or unreported store period is unknown (NaN), never
a zero a detector could mistake for a drop.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class ScanInputs:
    """Everything a scan reads, as plain frames (ids, not model instances).

    - ``sales``: store_id, sku_id, date, quantity, price, on_promotion
    - ``stock``: store_id, sku_id, date, on_hand (end-of-day book stock, any cadence)
    - ``orders``: store_id, sku_id, ordered_on, promised_on, received_on, quantity_received
    - ``closures``: store_id, start_date, end_date; ``missing``: store_id, date
    - ``expected``: store_id, sku_id, date, expected, low, high (a stored forecast or
      backtest point for the period; optional)
    - ``skus``: sku_id, code, name, unit_price, unit_cost, category_id (optional: SKUs of a
      category share a day factor); ``stores``: store_id, code, name
    - ``calendar``: store_id, date, name (a holiday or event, one row per store it applies
      to; optional)
    - ``score_from``/``score_to``: the periods scored; earlier ones are context only.
    """

    sales: pd.DataFrame
    skus: pd.DataFrame
    stores: pd.DataFrame
    score_from: pd.Timestamp
    score_to: pd.Timestamp
    stock: pd.DataFrame = field(default_factory=pd.DataFrame)
    orders: pd.DataFrame = field(default_factory=pd.DataFrame)
    closures: pd.DataFrame = field(default_factory=pd.DataFrame)
    missing: pd.DataFrame = field(default_factory=pd.DataFrame)
    expected: pd.DataFrame = field(default_factory=pd.DataFrame)
    calendar: pd.DataFrame = field(default_factory=pd.DataFrame)
    today: pd.Timestamp | None = None  # "now" for open orders; the last sales date by default


@dataclass(frozen=True)
class Panel:
    """Daily matrices over the loaded dates (rows) and series (columns)."""

    dates: pd.DatetimeIndex
    store_id: np.ndarray
    sku_id: np.ndarray
    sales: np.ndarray  # NaN = unknown (outside the series' life, closed, unreported)
    reported: np.ndarray  # a row arrived for the cell
    promo: np.ndarray
    price: np.ndarray
    receipts: np.ndarray
    book: np.ndarray  # reconstructed end-of-day book stock (NaN where no count anchors it)
    closed: np.ndarray  # (dates × series) the store was closed (a closure, not a gap)
    score_rows: slice

    @property
    def n_series(self) -> int:
        return len(self.store_id)


def panel_build(inputs: ScanInputs) -> Panel:
    """Pivot the long frames to matrices; the stock is rebuilt daily from counts and flows."""
    sales = inputs.sales
    first = sales["date"].min()
    last = max(sales["date"].max(), inputs.score_to)
    dates = pd.date_range(first, last, freq="D")
    keys = sales[["store_id", "sku_id"]].drop_duplicates().sort_values(["store_id", "sku_id"])
    store_id = keys["store_id"].to_numpy(np.int64)
    sku_id = keys["sku_id"].to_numpy(np.int64)
    column = pd.Series(np.arange(len(keys)), index=pd.MultiIndex.from_arrays([store_id, sku_id]))
    shape = (len(dates), len(keys))

    def cells(frame: pd.DataFrame, date_column: str = "date") -> tuple[np.ndarray, np.ndarray]:
        rows = dates.get_indexer(pd.to_datetime(frame[date_column]))
        cols = column.reindex(pd.MultiIndex.from_arrays([frame["store_id"], frame["sku_id"]]))
        cols = cols.to_numpy(dtype=float)
        ok = (rows >= 0) & ~np.isnan(cols)
        return rows[ok], cols[ok].astype(np.int64), ok

    rows, cols, ok = cells(sales)
    quantity = np.zeros(shape)
    reported = np.zeros(shape, dtype=bool)
    promo = np.zeros(shape, dtype=bool)
    price = np.full(shape, np.nan)
    quantity[rows, cols] = sales["quantity"].to_numpy(float)[ok]
    reported[rows, cols] = True
    promo[rows, cols] = sales["on_promotion"].to_numpy(bool)[ok]
    price[rows, cols] = sales["price"].to_numpy(float)[ok]
    price = pd.DataFrame(price).ffill().bfill().to_numpy()

    # The series' life: from its first to its last row.
    seen = np.cumsum(reported, axis=0)
    alive = (seen > 0) & (seen < seen[-1])
    alive |= reported
    quantity[~alive] = np.nan
    quantity[np.isnan(quantity) & alive] = 0.0

    closed = np.zeros(shape, dtype=bool)
    store_cols = pd.Series(np.arange(len(keys))).groupby(store_id).apply(np.asarray).to_dict()
    if not inputs.closures.empty:
        for row in inputs.closures.itertuples(index=False):
            a, b = (
                dates.searchsorted(pd.Timestamp(row.start_date)),
                dates.searchsorted(pd.Timestamp(row.end_date), side="right"),
            )
            if row.store_id in store_cols:
                closed[a:b, store_cols[row.store_id]] = True
    quantity[closed] = np.nan
    if not inputs.missing.empty:
        for store, days in inputs.missing.groupby("store_id")["date"]:
            idx = dates.get_indexer(pd.to_datetime(days))
            if store in store_cols:
                quantity[np.ix_(idx[idx >= 0], store_cols[store])] = np.nan

    receipts = np.zeros(shape)
    if not inputs.orders.empty:
        got = inputs.orders.dropna(subset=["received_on"])
        r, c, k = cells(got, "received_on")
        np.add.at(receipts, (r, c), got["quantity_received"].fillna(0).to_numpy(float)[k])

    book = np.full(shape, np.nan)
    if not inputs.stock.empty:
        flow = np.cumsum(receipts - np.nan_to_num(quantity), axis=0)
        r, c, k = cells(inputs.stock)
        anchor = np.full(shape, np.nan)
        anchor[r, c] = inputs.stock["on_hand"].to_numpy(float)[k] - flow[r, c]
        anchor = pd.DataFrame(anchor).ffill().bfill().to_numpy()
        book = anchor + flow

    start = dates.searchsorted(inputs.score_from)
    stop = dates.searchsorted(inputs.score_to, side="right")
    return Panel(
        dates=dates,
        store_id=store_id,
        sku_id=sku_id,
        sales=quantity,
        reported=reported,
        promo=promo,
        price=price,
        receipts=receipts,
        book=book,
        closed=closed,
        score_rows=slice(start, stop),
    )
