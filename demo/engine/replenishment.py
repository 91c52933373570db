"""Store replenishment: a reorder-point / order-up-to (s, S) policy simulated day by day.

The loop runs over days only; every step is a vector operation over all store-SKU
series, which keeps 30,000 series x 3 years to a few seconds. Sales are censored by the
physical stock (lost sales when it runs out), orders are rounded up to case packs and
the MOQ, and deliveries arrive after a stochastic lead time around the supplier's
nominal one. Two injected anomalies need the simulation itself: phantom inventory
(the book says stock, the shelf is empty, so nothing is reordered) and late deliveries.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LEAD_TIME_OFFSETS = np.array([-1, 0, 1, 2])
LEAD_TIME_OFFSET_P = np.array([0.10, 0.55, 0.25, 0.10])
REVIEW_BUFFER_DAYS = 2
NO_DAY = np.iinfo(np.int32).max


@dataclass(frozen=True)
class Policy:
    """Per-series supply parameters (series = store-major flattening of store x sku)."""

    lead_time: np.ndarray
    case_pack: np.ndarray
    moq: np.ndarray
    cover_days: np.ndarray
    dispersion: np.ndarray
    first_day: np.ndarray
    end_day: np.ndarray


@dataclass(frozen=True)
class Disruptions:
    """Injected supply-side anomalies, one optional entry per series."""

    phantom_start: np.ndarray  # day the shelf empties while the book does not, or -1
    phantom_end: np.ndarray  # day a stock count corrects the book
    delay_from: np.ndarray  # first order placed on/after this day is late, or NO_DAY
    delay_days: np.ndarray  # extra days for that order


@dataclass(frozen=True)
class Simulation:
    """What happened: censored sales, stock snapshots and every order placed."""

    sales: np.ndarray  # (days, series) float32 units sold (censored demand)
    snapshot_days: np.ndarray
    on_hand: np.ndarray  # (snapshots, series) book stock at end of day
    on_order: np.ndarray  # (snapshots, series)
    order_day: np.ndarray
    order_series: np.ndarray
    order_qty: np.ndarray
    order_promised: np.ndarray
    order_arrival: np.ndarray
    late_orders: np.ndarray  # indices into the order arrays
    phantom_units: np.ndarray  # (series,) book stock when the phantom episode started


def simulate(
    rng: np.random.Generator,
    demand: np.ndarray,
    forecast: np.ndarray,
    policy: Policy,
    disruptions: Disruptions,
    closed: np.ndarray,
    snapshot_days: np.ndarray,
) -> Simulation:
    """Run the store stock flow for (days, series) `demand`.

    `forecast` is the expected demand (without anomalies); the planner sees it through a
    per-series bias and sets the reorder point from demand over the protection window
    (lead time + review) plus a per-series safety factor, so availability varies by series.
    """
    n_days, n = demand.shape
    rows = np.arange(n)
    window = policy.lead_time + REVIEW_BUFFER_DAYS
    cumulative = np.zeros((n_days + 1, n), dtype=np.float32)
    np.cumsum(forecast, axis=0, out=cumulative[1:])
    safety_z = rng.uniform(0.2, 1.6, n)
    planning_bias = rng.lognormal(0.0, 0.2, n)
    order_from = policy.first_day - policy.lead_time
    order_until = policy.end_day - policy.lead_time
    max_delay = int(disruptions.delay_days.max(initial=0))
    arrivals = np.zeros((n_days + int(policy.lead_time.max()) + max_delay + 4, n), dtype=np.float32)

    def targets(day: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        hi = np.minimum(day + window, n_days)
        rate = planning_bias * (cumulative[hi, rows] - cumulative[day]) / (hi - day)
        mean = rate * window
        sigma = np.sqrt(mean + mean * mean / (policy.dispersion * window))
        reorder = mean + safety_z * sigma
        return rate, reorder, reorder + np.maximum(policy.cover_days * rate, policy.moq)

    _, _, order_up_to = targets(0)
    start_ranged = policy.first_day <= 0
    true = np.where(start_ranged, np.ceil(order_up_to), 0.0).astype(np.float32)
    book = true.copy()
    on_order = np.zeros(n, dtype=np.float32)
    phantom = np.zeros(n, dtype=bool)
    phantom_units = np.zeros(n, dtype=np.float32)
    starts = _by_day(disruptions.phantom_start, n_days)
    ends = _by_day(disruptions.phantom_end, n_days)
    delay_from = disruptions.delay_from.copy()
    sales = np.empty((n_days, n), dtype=np.float32)
    snap = np.zeros(n_days, dtype=bool)
    snap[snapshot_days] = True
    hand_snaps, order_snaps, orders, late = [], [], [], []
    n_orders = 0

    for day in range(n_days):
        received = arrivals[day]
        book += received
        true += np.where(phantom, 0.0, received)
        on_order -= received
        if day in starts:
            idx = starts[day]
            book[idx] = np.maximum(book[idx], policy.case_pack[idx])
            true[idx] = 0.0
            phantom[idx] = True
            phantom_units[idx] = book[idx]
        sold = np.minimum(demand[day], true)
        true -= sold
        book -= sold
        sales[day] = sold
        if day in ends:
            idx = ends[day]
            book[idx] = true[idx]
            phantom[idx] = False
        if not closed[day]:
            rate, reorder, order_up_to = targets(day)
            position = book + on_order
            need = (position <= reorder) & (rate > 0) & (day >= order_from) & (day < order_until)
            idx = np.flatnonzero(need)
            if len(idx):
                pack = policy.case_pack[idx]
                qty = np.maximum(
                    np.ceil((order_up_to[idx] - position[idx]) / pack) * pack, policy.moq[idx]
                )
                lead = np.maximum(
                    policy.lead_time[idx]
                    + rng.choice(LEAD_TIME_OFFSETS, len(idx), p=LEAD_TIME_OFFSET_P),
                    1,
                )
                extra = disruptions.delay_days[idx]
                is_late = (delay_from[idx] <= day) & (
                    day + lead + extra < np.minimum(policy.end_day[idx], n_days)
                )
                lead += np.where(is_late, extra, 0)
                delay_from[idx[is_late]] = NO_DAY
                arrivals[day + lead, idx] += qty
                on_order[idx] += qty
                orders.append(
                    (np.full(len(idx), day), idx, qty, day + policy.lead_time[idx], day + lead)
                )
                late.append(n_orders + np.flatnonzero(is_late))
                n_orders += len(idx)
        if snap[day]:
            hand_snaps.append(book.copy())
            order_snaps.append(on_order.copy())

    if orders:
        columns = [np.concatenate(c) for c in zip(*orders, strict=True)]
    else:
        columns = [np.empty(0, dtype=np.int64)] * 5
    return Simulation(
        sales=sales,
        snapshot_days=np.asarray(snapshot_days),
        on_hand=np.array(hand_snaps).reshape(-1, n),
        on_order=np.array(order_snaps).reshape(-1, n),
        order_day=columns[0].astype(np.int32),
        order_series=columns[1].astype(np.int64),
        order_qty=columns[2].astype(np.float64),
        order_promised=columns[3].astype(np.int32),
        order_arrival=columns[4].astype(np.int32),
        late_orders=np.concatenate(late) if late else np.empty(0, dtype=np.int64),
        phantom_units=phantom_units,
    )


def _by_day(day_of_series: np.ndarray, n_days: int) -> dict[int, np.ndarray]:
    """Series grouped by the day something happens to them (-1 = never)."""
    idx = np.flatnonzero((day_of_series >= 0) & (day_of_series < n_days))
    return {int(d): idx[day_of_series[idx] == d] for d in np.unique(day_of_series[idx])}
