"""Flatten the (day, store, sku) matrices into the long fact frames the loader expects.

Rows are emitted only where the SKU is ranged, in (date, store, sku) order. Codes are
categoricals over the master codes and dates are ``datetime64[s]``: at tens of millions
of rows, Python ``date`` objects and repeated strings would cost gigabytes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from demo.engine.calendar import Calendar
from demo.engine.catalogue import Catalogue
from demo.engine.pricing import Promotions
from demo.engine.replenishment import Simulation

CHUNK_DAYS = 32


def _cells(mask: np.ndarray, n_stores: int, n_skus: int) -> tuple[np.ndarray, ...]:
    """(day, store, sku, flat index) of True cells of a (days, skus) mask for every store."""
    full = np.broadcast_to(mask[:, None, :], (mask.shape[0], n_stores, n_skus))
    flat = np.flatnonzero(full)
    per_day = n_stores * n_skus
    day = (flat // per_day).astype(np.int32)
    rest = flat % per_day
    return day, (rest // n_skus).astype(np.int32), (rest % n_skus).astype(np.int32), flat


def _codes(index: np.ndarray, codes: pd.Series) -> pd.Categorical:
    return pd.Categorical.from_codes(index, categories=codes.to_numpy())


def sales_frame(
    cal: Calendar,
    cat: Catalogue,
    ranged: np.ndarray,
    sim: Simulation,
    list_price: np.ndarray,
    promos: Promotions,
) -> pd.DataFrame:
    """Filled in day chunks into preallocated columns so temporaries stay small."""
    rows_per_day = ranged.sum(axis=1) * cat.n_stores
    offsets = np.concatenate([[0], np.cumsum(rows_per_day)])
    n = int(offsets[-1])
    dates = np.empty(n, dtype="datetime64[s]")
    store = np.empty(n, dtype=np.int16)
    sku = np.empty(n, dtype=np.int32)
    quantity = np.empty(n)
    price = np.empty(n)
    on_promotion = np.empty(n, dtype=bool)
    discounts = np.concatenate([[0.0], promos.discount])
    for lo in range(0, cal.n_days, CHUNK_DAYS):
        hi = min(lo + CHUNK_DAYS, cal.n_days)
        out = slice(offsets[lo], offsets[hi])
        day, store[out], sku[out], flat = _cells(ranged[lo:hi], cat.n_stores, cat.n_skus)
        day += lo
        active = promos.active[lo:hi].reshape(-1)[flat]
        dates[out] = cal.dates[day]
        quantity[out] = sim.sales[lo:hi].reshape(-1)[flat]
        price[out] = np.round(list_price[day, sku[out]] * (1 - discounts[active]), 2)
        on_promotion[out] = active > 0
    return pd.DataFrame(
        {
            "date": dates,
            "store_code": _codes(store, cat.stores["code"]),
            "sku_code": _codes(sku, cat.skus["code"]),
            "quantity": quantity,
            "revenue": np.round(quantity * price, 2),
            "price": price,
            "on_promotion": on_promotion,
        },
        copy=False,
    )


def inventory_frame(
    cal: Calendar, cat: Catalogue, ranged: np.ndarray, sim: Simulation
) -> pd.DataFrame:
    """End-of-day book stock on the snapshot days, for ranged store-SKUs only."""
    mask = ranged[sim.snapshot_days]
    snap, store, sku, flat = _cells(mask, cat.n_stores, cat.n_skus)
    return pd.DataFrame(
        {
            "date": cal.dates[sim.snapshot_days[snap]].astype("datetime64[s]"),
            "store_code": _codes(store, cat.stores["code"]),
            "sku_code": _codes(sku, cat.skus["code"]),
            "on_hand": sim.on_hand.reshape(-1)[flat].astype(np.float64),
            "on_order": sim.on_order.reshape(-1)[flat].astype(np.float64),
        }
    )


def supply_orders_frame(cal: Calendar, cat: Catalogue, sim: Simulation) -> pd.DataFrame:
    """Every store order; orders still in transit at the end have no receipt yet."""
    n = len(sim.order_day)
    received = sim.order_arrival < cal.n_days
    last = cal.n_days - 1
    qty = sim.order_qty.astype(np.int64)
    return pd.DataFrame(
        {
            "order_ref": "PO" + pd.Series(np.arange(1, n + 1)).astype(str).str.zfill(8),
            "store_code": _codes(sim.order_series // cat.n_skus, cat.stores["code"]),
            "sku_code": _codes(sim.order_series % cat.n_skus, cat.skus["code"]),
            "ordered_on": cal.dates[sim.order_day].astype("datetime64[s]"),
            "promised_on": (cal.dates[0] + sim.order_promised).astype("datetime64[s]"),
            "received_on": pd.Series(
                cal.dates[np.minimum(sim.order_arrival, last)].astype("datetime64[s]")
            ).where(received),
            "quantity_ordered": qty,
            "quantity_received": pd.Series(qty, dtype="Int64").where(received),
        }
    )
