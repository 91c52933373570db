"""A small synthetic company as engine inputs: steady Poisson sellers with known anomalies."""

from __future__ import annotations

import numpy as np
import pandas as pd

from anomalies.engine.panel import ScanInputs

START = pd.Timestamp("2025-01-06")
DAYS = 140
STORES = (1, 2, 3, 4, 5, 6)
SKUS = (10, 11, 12, 13)
RATE = 8.0


def synthetic_inputs(*, seed: int = 3, inject=(), score_from_day: int = 84) -> ScanInputs:
    """Sales of every store × SKU at ``RATE`` a day (×1.5 on Saturdays), weekly counts that
    balance with the sales and receipts, and one order per series each fortnight on time.

    ``inject``: (kind, store, sku, day[, length]) tuples among "spike", "x10", "phantom",
    "drop", "late".
    """
    rng = np.random.default_rng(seed)
    dates = pd.date_range(START, periods=DAYS, freq="D")
    weekday = np.where(dates.day_of_week == 5, 1.5, 1.0)
    rows, stock_rows, orders = [], [], []
    for store in STORES:
        for sku in SKUS:
            sales = rng.poisson(RATE * weekday).astype(float)
            zero_from = None
            late = {}
            for kind, s, k, day, *rest in inject:
                if (s, k) != (store, sku):
                    continue
                length = rest[0] if rest else 1
                if kind == "spike":
                    sales[day : day + length] = rng.poisson(RATE * 6, length)
                elif kind == "x10":
                    sales[day] = max(sales[day], RATE) * 10
                elif kind == "drop":
                    sales[day : day + length] = rng.poisson(RATE * 0.1, length)
                elif kind == "phantom":
                    sales[day : day + length] = 0
                    zero_from = (day, day + length)
                elif kind == "late":
                    late[day] = length
            book, receipts = 200.0, np.zeros(DAYS)
            for day in range(0, DAYS - 7, 14):
                arrive = day + 5 + late.get(day, 0)
                orders.append(
                    (
                        f"PO{store}-{sku}-{day}",
                        store,
                        sku,
                        dates[day],
                        dates[day + 5],
                        dates[arrive] if arrive < DAYS else pd.NaT,
                        112.0,
                        112.0 if arrive < DAYS else np.nan,
                    )
                )
                if arrive < DAYS:
                    receipts[arrive] += 112.0
            for day in range(DAYS):
                book += receipts[day] - sales[day]
                if zero_from is None or not zero_from[0] <= day < zero_from[1]:
                    book = max(book, 0.0)
                if day % 7 == 6:
                    stock_rows.append((store, sku, dates[day], max(book, 0.0)))
            for day in range(DAYS):
                rows.append((store, sku, dates[day], sales[day], 2.5, False))
    sales = pd.DataFrame(
        rows, columns=["store_id", "sku_id", "date", "quantity", "price", "on_promotion"]
    )
    return ScanInputs(
        sales=sales,
        skus=pd.DataFrame(
            {
                "sku_id": list(SKUS),
                "code": [f"SKU{k}" for k in SKUS],
                "name": [f"Item {k}" for k in SKUS],
                "unit_price": 2.5,
                "unit_cost": 1.5,
            }
        ),
        stores=pd.DataFrame(
            {
                "store_id": list(STORES),
                "code": [f"S{s}" for s in STORES],
                "name": [f"Store {s}" for s in STORES],
            }
        ),
        score_from=dates[score_from_day],
        score_to=dates[-1],
        stock=pd.DataFrame(stock_rows, columns=["store_id", "sku_id", "date", "on_hand"]),
        orders=pd.DataFrame(
            orders,
            columns=[
                "order_ref",
                "store_id",
                "sku_id",
                "ordered_on",
                "promised_on",
                "received_on",
                "quantity_ordered",
                "quantity_received",
            ],
        ),
    )
