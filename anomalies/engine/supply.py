"""Supply-chain rules: phantom stock, impossible stock movements, late deliveries and
lead-time drift.

Phantom inventory is a probability argument, not a fixed number of days: with a demand rate
λ per day a run of L days without a sale has probability e^(−ΣλL); when that falls below
e^(−``phantom_log_p``) while the books show stock, and the run has outlasted
``phantom_min_days`` (shorter runs are reported as demand drops), the stock is likely not on
the shelf. A count that finds more than the book plus receipts (stock rose without a
receipt) or a book that sales drive below zero is an impossible movement. A delivery later
than promised by more than ``late_tolerance_days`` is late (an order still open past that is
late already). Lead-time drift compares the mean lead time of a SKU's latest orders with its
earlier mean, in standard errors and in days (there is no supplier in the data model: the
SKU stands for its supplier). The day's chance of no sale is the larger of the Poisson
e^(−λ) and the series' own share of sale-less days in stock, so lumpy sellers need longer runs;
λ is the series' in-stock sales rate over the quarter before the run began.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from anomalies.engine.events import Event
from anomalies.engine.expectation import Expectation
from anomalies.engine.panel import Panel, ScanInputs
from anomalies.engine.runs import runs
from anomalies.engine.settings import DetectorSettings

PRE_RUN_DAYS = 91  # a phantom run is judged against the sales rate of the quarter before it
MIN_PRE_RUN_DAYS = 28  # in-stock days that rate needs; fewer and the expectation is used


def phantom_events(
    panel: Panel, exp: Expectation, settings: DetectorSettings, unit_price: np.ndarray
) -> list[Event]:
    zero = (panel.sales == 0) & (panel.book > 0)
    stocked = ~np.isnan(panel.sales) & (panel.book > 0)
    # Empirical chance of a day without a sale while in stock (smoothed): lumpy series
    # have many such days, so their runs must be longer before they mean anything.
    p_zero = (zero.sum(axis=0) + 1) / (stocked.sum(axis=0) + 2)
    per_day = -np.log(p_zero)
    col, a, b = runs(zero)
    long = (b - a + 1 >= settings.phantom_min_days) & (b >= panel.score_rows.start)
    events = []
    for c, s, e in zip(col[long], a[long], b[long], strict=True):
        rate = _pre_run_rate(panel, stocked, c, s, exp.plain[s : e + 1, c])
        log_p = np.cumsum(np.minimum(rate, per_day[c]))
        crossed = np.flatnonzero(
            (log_p >= settings.phantom_log_p)
            & (np.arange(len(rate)) >= settings.phantom_min_days - 1)
        )
        if not len(crossed) or s + crossed[0] >= panel.score_rows.stop:
            continue
        lost = float(rate.sum())
        event = Event(
            kind="phantom_inventory",
            metric="stock",
            store_id=int(panel.store_id[c]),
            sku_id=int(panel.sku_id[c]),
            start=panel.dates[s],
            end=panel.dates[e],
            detected_on=panel.dates[s + crossed[0]],
            score=float(log_p[-1]),
            expected=lost,
            actual=0.0,
            units_at_stake=lost,
            value_at_stake=lost * float(unit_price[c]),
            stockout_risk=1.0,
            weekly_units=float(7 * rate.mean()),
        )
        event.fired(
            "zero_sales_probability",
            log_p[-1],
            days=int(e - s + 1),
            book_stock=float(panel.book[e, c]),
            probability=float(np.exp(-log_p[-1])),
        )
        events.append(event)
    return events


def _pre_run_rate(
    panel: Panel, stocked: np.ndarray, c: int, s: int, expected: np.ndarray
) -> np.ndarray:
    """The demand rate a zero-sale run starting at ``s`` is judged against: the series'
    sales per in-stock day without a promotion over the ``PRE_RUN_DAYS`` before the run.

    Not the expectation during the run: the run's own zeros drag its level down (a real
    phantom would teach the baseline that nothing sells), and its floor of a quarter unit
    a day would make a slow seller's quiet months (a unit a month) look impossible. Where
    the series has too little in-stock history before the run, the expectation is used.
    """
    window = slice(max(s - PRE_RUN_DAYS, 0), s)
    days = stocked[window, c] & ~panel.promo[window, c]
    if days.sum() < MIN_PRE_RUN_DAYS:
        return expected
    rate = float(np.nansum(panel.sales[window, c][days])) / float(days.sum())
    return np.full(len(expected), rate)


def stock_movement_events(
    panel: Panel, inputs: ScanInputs, settings: DetectorSettings
) -> list[Event]:
    if inputs.stock.empty:
        return []
    flow = np.cumsum(panel.receipts - np.nan_to_num(panel.sales), axis=0)
    index = pd.Series(
        np.arange(panel.n_series), index=pd.MultiIndex.from_arrays([panel.store_id, panel.sku_id])
    )
    stock = inputs.stock.sort_values(["store_id", "sku_id", "date"])
    rows = panel.dates.get_indexer(pd.to_datetime(stock["date"]))
    cols = index.reindex(pd.MultiIndex.from_arrays([stock["store_id"], stock["sku_id"]]))
    cols = cols.to_numpy(float)
    ok = (rows >= 0) & ~np.isnan(cols)
    rows, cols, on_hand = rows[ok], cols[ok].astype(int), stock["on_hand"].to_numpy(float)[ok]
    same = cols[1:] == cols[:-1]
    implied = on_hand[:-1] + flow[rows[1:], cols[1:]] - flow[rows[:-1], cols[:-1]]
    gain = on_hand[1:] - implied
    tolerance = np.maximum(settings.stock_gain_tolerance, 0.05 * np.abs(implied))
    in_score = (rows[1:] >= panel.score_rows.start) & (rows[1:] < panel.score_rows.stop)
    events = []
    for i in np.flatnonzero(same & in_score & ((gain > tolerance) | (implied < -tolerance))):
        c, a, b = cols[i + 1], rows[i], rows[i + 1]
        rose = gain[i] > tolerance[i]
        event = Event(
            kind="stock_movement",
            metric="stock",
            store_id=int(panel.store_id[c]),
            sku_id=int(panel.sku_id[c]),
            start=panel.dates[a + 1],
            end=panel.dates[b],
            detected_on=panel.dates[b],
            score=float(abs(gain[i] if rose else implied[i])),
            expected=float(implied[i]),
            actual=float(on_hand[i + 1]),
            units_at_stake=float(abs(gain[i] if rose else implied[i])),
        )
        event.fired("stock_balance", event.score, rose_without_receipt=bool(rose))
        events.append(event)
    return events


def late_delivery_events(
    inputs: ScanInputs, panel: Panel, settings: DetectorSettings, unit_price: dict
) -> list[Event]:
    orders = inputs.orders
    if orders.empty:
        return []
    today = inputs.today or panel.dates[-1]
    received = pd.to_datetime(orders["received_on"])
    promised = pd.to_datetime(orders["promised_on"])
    arrived_or_today = received.fillna(today)
    late_days = (arrived_or_today - promised).dt.days
    tolerance = pd.Timedelta(days=settings.late_tolerance_days)
    detected = promised + tolerance + pd.Timedelta(days=1)
    late = (late_days > settings.late_tolerance_days) & (detected <= today)
    late &= (arrived_or_today >= inputs.score_from) & (detected <= inputs.score_to)
    events = []
    for row, days, arrival in zip(
        orders[late].itertuples(index=False), late_days[late], arrived_or_today[late], strict=True
    ):
        open_order = pd.isna(row.received_on)
        quantity = float(row.quantity_received if not open_order else row.quantity_ordered)
        event = Event(
            kind="late_delivery",
            metric="supply",
            store_id=int(row.store_id) if pd.notna(row.store_id) else None,
            sku_id=int(row.sku_id),
            start=pd.Timestamp(row.promised_on),
            end=pd.Timestamp(arrival),
            detected_on=pd.Timestamp(row.promised_on) + tolerance + pd.Timedelta(days=1),
            score=float(days),
            expected=float((pd.Timestamp(row.promised_on) - pd.Timestamp(row.ordered_on)).days),
            actual=float((pd.Timestamp(arrival) - pd.Timestamp(row.ordered_on)).days),
            units_at_stake=quantity,
            value_at_stake=quantity * float(unit_price.get(int(row.sku_id), 0.0)),
            weekly_units=quantity,
        )
        event.fired(
            "promised_vs_received",
            days,
            order=str(getattr(row, "order_ref", "")),
            still_open=bool(open_order),
        )
        events.append(event)
    return events


def lead_time_drift_events(inputs: ScanInputs, settings: DetectorSettings) -> list[Event]:
    orders = inputs.orders.dropna(subset=["received_on"])
    if orders.empty:
        return []
    frame = pd.DataFrame(
        {
            "sku_id": orders["sku_id"].to_numpy(),
            "received": pd.to_datetime(orders["received_on"]).to_numpy(),
            "lead": (
                pd.to_datetime(orders["received_on"]) - pd.to_datetime(orders["ordered_on"])
            ).dt.days.to_numpy(float),
        }
    ).sort_values(["sku_id", "received"], kind="stable")
    grouped = frame.groupby("sku_id")["lead"]
    frame["recent"] = grouped.transform(
        lambda s: s.rolling(settings.drift_recent_orders).mean()
    ).to_numpy()
    frame["before"] = grouped.transform(
        lambda s: s.shift(settings.drift_recent_orders).expanding(settings.drift_min_orders).mean()
    ).to_numpy()
    frame["spread"] = grouped.transform(
        lambda s: s.shift(settings.drift_recent_orders).expanding(settings.drift_min_orders).std()
    ).to_numpy()
    shift = frame["recent"] - frame["before"]
    standard_error = frame["spread"].clip(lower=0.5) / np.sqrt(settings.drift_recent_orders)
    frame["drift"] = (shift >= np.maximum(settings.drift_min_days, 0.3 * frame["before"])) & (
        shift / standard_error >= settings.drift_z
    )
    frame = frame[frame["drift"]]
    events = []
    for sku, part in frame.groupby("sku_id"):
        blocks = (part["received"].diff().dt.days.fillna(0) > 14).cumsum()
        for _, block in part.groupby(blocks):
            start, end = (
                pd.Timestamp(block["received"].iloc[0]),
                pd.Timestamp(block["received"].iloc[-1]),
            )
            if end < inputs.score_from or start > inputs.score_to:
                continue
            worst = block.loc[(block["recent"] - block["before"]).idxmax()]
            event = Event(
                kind="lead_time_drift",
                metric="supply",
                sku_id=int(sku),
                start=start,
                end=end,
                detected_on=start,
                score=float(worst["recent"] - worst["before"]),
                expected=float(worst["before"]),
                actual=float(worst["recent"]),
            )
            event.fired("lead_time_median", event.score, orders=len(block))
            events.append(event)
    return events
