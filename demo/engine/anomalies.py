"""Injected anomalies and their ground-truth labels, so detectors can be scored.

Each kind hits a distinct ~0.75 % of the regular-moving store-SKU series:
demand spikes and drops change true demand for a few days (before stock censoring,
as real events would); x10 entry errors change one recorded sales quantity after the
fact; phantom inventory and late deliveries are played out by the replenishment
simulation. Labels are built from what actually happened, not from what was planned.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from demo.engine.calendar import Calendar
from demo.engine.replenishment import NO_DAY, Disruptions, Simulation

SHARE_PER_KIND = 0.0075
MIN_RANGED_DAYS = 150
ENTRY_ERROR_MIN_NONZERO_DAYS = 10
LABEL_COLUMNS = ["kind", "store_code", "sku_code", "start_date", "end_date", "magnitude", "note"]


@dataclass(frozen=True)
class DemandShock:
    """Multiplicative change to true demand over [start, end] for each listed series."""

    series: np.ndarray
    start: np.ndarray
    end: np.ndarray  # inclusive
    factor: np.ndarray
    kind: str


@dataclass(frozen=True)
class AnomalyPlan:
    """Everything chosen up front; outcomes are read back from the simulation."""

    spikes: DemandShock
    drops: DemandShock
    disruptions: Disruptions
    entry_error_pool: np.ndarray  # candidate series, used in order until enough qualify
    n_per_kind: int


def plan_anomalies(
    rng: np.random.Generator,
    cal: Calendar,
    n_stores: int,
    first_day: np.ndarray,
    end_day: np.ndarray,
    intermittent: np.ndarray,
) -> AnomalyPlan:
    """Choose disjoint series and windows for every anomaly kind.

    `first_day`, `end_day` and `intermittent` are per SKU; series are store-major.
    """
    n_skus, n_days = len(first_day), cal.n_days
    lo = np.tile(np.maximum(first_day, 0), n_stores)
    hi = np.tile(np.minimum(end_day, n_days), n_stores)
    eligible = np.flatnonzero((hi - lo >= MIN_RANGED_DAYS) & ~np.tile(intermittent, n_stores))
    n_each = max(1, round(SHARE_PER_KIND * n_stores * n_skus))
    order = rng.permutation(eligible)
    groups = [order[i * n_each : (i + 1) * n_each] for i in range(4)]
    pool = order[4 * n_each :]

    def shock(
        series: np.ndarray, min_len: int, max_len: int, factor: np.ndarray, kind: str
    ) -> DemandShock:
        length = rng.integers(min_len, max_len + 1, len(series))
        start = rng.integers(lo[series] + 14, hi[series] - length - 14)
        return DemandShock(series, start, start + length - 1, factor, kind)

    spikes = shock(groups[0], 1, 4, rng.uniform(3.0, 6.0, len(groups[0])), "demand_spike")
    drops = shock(groups[1], 3, 10, rng.uniform(0.05, 0.3, len(groups[1])), "demand_drop")

    n = n_stores * n_skus
    phantom_start = np.full(n, -1)
    phantom_end = np.full(n, -1)
    ph = groups[2]
    length = rng.integers(21, 57, len(ph))
    phantom_start[ph] = rng.integers(lo[ph] + 28, hi[ph] - length - 7)
    phantom_end[ph] = phantom_start[ph] + length
    delay_from = np.full(n, NO_DAY)
    delay_days = np.zeros(n, dtype=np.int64)
    late = groups[3]
    delay_from[late] = rng.integers(lo[late] + 14, hi[late] - 60)
    delay_days[late] = rng.integers(5, 16, len(late))
    return AnomalyPlan(
        spikes=spikes,
        drops=drops,
        disruptions=Disruptions(phantom_start, phantom_end, delay_from, delay_days),
        entry_error_pool=rng.permutation(pool),
        n_per_kind=n_each,
    )


def apply_demand_shocks(lam: np.ndarray, plan: AnomalyPlan) -> None:
    """Scale expected demand in place, `lam` being (days, series)."""
    for shock in (plan.spikes, plan.drops):
        for s, a, b, f in zip(shock.series, shock.start, shock.end, shock.factor, strict=True):
            lam[a : b + 1, s] *= f


def inject_entry_errors(
    rng: np.random.Generator, sales: np.ndarray, plan: AnomalyPlan
) -> tuple[np.ndarray, np.ndarray]:
    """Multiply one ordinary-or-busier day's recorded quantity by 10, in place.

    Days at or above the series' median non-zero quantity are used so the error stands
    out clearly (>= 10x that median). Returns (series, day) of the corrupted cells.
    """
    series, days = [], []
    for s in plan.entry_error_pool:
        if len(series) == plan.n_per_kind:
            break
        column = sales[:, s]
        nonzero = column[column > 0]
        if len(nonzero) < ENTRY_ERROR_MIN_NONZERO_DAYS:
            continue
        candidates = np.flatnonzero(column >= np.median(nonzero))
        day = int(rng.choice(candidates))
        column[day] *= 10
        series.append(int(s))
        days.append(day)
    return np.array(series, dtype=np.int64), np.array(days, dtype=np.int64)


def build_labels(
    cal: Calendar,
    store_codes: np.ndarray,
    sku_codes: np.ndarray,
    plan: AnomalyPlan,
    sim: Simulation,
    entry_series: np.ndarray,
    entry_days: np.ndarray,
) -> pd.DataFrame:
    """One row per injected anomaly; late orders are only ever received within range."""
    n_skus = len(sku_codes)
    rows: list[tuple] = []

    def add(kind: str, s: int, a: int, b: int, magnitude: float, note: str) -> None:
        rows.append(
            (
                kind,
                store_codes[s // n_skus],
                sku_codes[s % n_skus],
                cal.date_at(a),
                cal.date_at(min(b, cal.n_days - 1)),
                float(magnitude),
                note,
            )
        )

    for shock in (plan.spikes, plan.drops):
        for s, a, b, f in zip(shock.series, shock.start, shock.end, shock.factor, strict=True):
            days = b - a + 1
            note = (
                f"demand x{f:.1f} for {days} day(s)"
                if f > 1
                else f"demand down to {f:.0%} of normal for {days} day(s)"
            )
            add(shock.kind, s, a, b, round(f, 2), note)
    for s, d in zip(entry_series, entry_days, strict=True):
        add("entry_error_x10", s, d, d, 10.0, "sales quantity keyed in 10x too high")
    dis = plan.disruptions
    for s in np.flatnonzero(dis.phantom_start >= 0):
        a, b = int(dis.phantom_start[s]), int(dis.phantom_end[s]) - 1
        add(
            "phantom_inventory",
            s,
            a,
            b,
            float(sim.phantom_units[s]),
            f"book shows {sim.phantom_units[s]:g} units but the shelf is empty; "
            f"a stock count on {cal.date_at(b + 1)} writes them off",
        )
    for o in sim.late_orders:
        promised, arrival = int(sim.order_promised[o]), int(sim.order_arrival[o])
        add(
            "late_delivery",
            int(sim.order_series[o]),
            promised,
            arrival,
            arrival - promised,
            f"order placed {cal.date_at(sim.order_day[o])} arrived "
            f"{arrival - promised} days after the promised date",
        )
    frame = pd.DataFrame(rows, columns=LABEL_COLUMNS)
    return frame.sort_values(
        ["kind", "start_date", "store_code", "sku_code"], kind="stable"
    ).reset_index(drop=True)
