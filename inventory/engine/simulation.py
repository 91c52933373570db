"""Monte-Carlo check of inventory policies: paths × series arrays stepped over days.

Each path draws daily demand from the forecast distribution (gamma–Poisson: the forecast
mean and error variance per day, Poisson where the error is no wider than Poisson noise) and
each order's lead time from that series' observed receipts. Several policies are simulated
on the same paths and the same lead-time draws (common random numbers), so differences
between them are differences of policy, not of luck.

A day runs: review (order when the inventory position, on hand + on order, is at or below
the reorder point; base stock orders back up to S every review) → receive what arrives
today → serve demand from stock (unserved demand is lost). A replenishment cycle ends at
each receipt; it "stocked out" when any demand in it went unserved, which is what a cycle
service level counts. Excess stock is the stock on hand beyond the forecast demand of the
next ``excess_cover_days`` days, valued at unit cost.

Every figure is computed per path for the whole set of series and reported with a normal
95 % confidence interval over paths.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

Z_95 = 1.959963984540054
DAYS_PER_YEAR = 365.0
BATCH_CELLS = 400_000

METRICS = (
    "cycle_service_level",
    "fill_rate",
    "average_stock",
    "average_stock_value",
    "excess_stock",
    "stockout_days",
    "lost_units",
    "days_of_supply",
    "turnover",
    "holding_cost",
    "ordering_cost",
    "shortage_cost",
    "spoiled_units",
    "spoilage_cost",
    "total_cost",
    "orders",
)


@dataclass(frozen=True)
class SimulationWorld:
    """What the simulated days look like, one row per series.

    ``demand_mean`` / ``demand_sd``: series × days daily forecast mean and error SD (units).
    ``lead_time_samples``: series × k observed lead times (days), ``lead_time_counts`` how
    many of each row are real (at least one). ``excess_need``: series × days forecast
    demand over the next ``excess_cover_days`` days from each day, or over the shelf life
    when that is shorter (stock that will expire unsold is excess too). ``shelf_life``:
    days a unit keeps from its receipt (inf: not perishable).
    """

    demand_mean: np.ndarray
    demand_sd: np.ndarray
    lead_time_samples: np.ndarray
    lead_time_counts: np.ndarray
    unit_cost: np.ndarray
    unit_price: np.ndarray
    moq: np.ndarray
    case_pack: np.ndarray
    excess_need: np.ndarray
    shelf_life: np.ndarray

    @property
    def days(self) -> int:
        return self.demand_mean.shape[1]

    @property
    def size(self) -> int:
        return self.demand_mean.shape[0]


@dataclass(frozen=True)
class CostRates:
    holding_rate_per_year: float
    order_cost: float
    shortage_cost_share: float


@dataclass(frozen=True)
class SimulatedPolicy:
    """A policy's levels per series: arrays of shape (series,) or (days, series) when the
    levels follow the forecast day by day. ``kind``: 'sS', 'rQ' or 'base_stock' per series.

    ``skips_expiring``: the inventory position leaves out perishable units that expire before
    an order placed today would arrive (the product's rule; a plain min/max counts them)."""

    kind: np.ndarray
    reorder_point: np.ndarray
    order_up_to: np.ndarray
    order_quantity: np.ndarray
    skips_expiring: bool = False


@dataclass
class SimulationResult:
    """Per-path company totals (``paths`` arrays) and per-series means over paths."""

    per_path: dict[str, np.ndarray]
    per_series: dict[str, np.ndarray] = field(default_factory=dict)

    def summary(self) -> dict[str, dict[str, float]]:
        """Mean and 95 % confidence interval of every metric."""
        out = {}
        for name, values in self.per_path.items():
            values = values[np.isfinite(values)]
            mean = float(values.mean()) if len(values) else float("nan")
            half = (
                float(Z_95 * values.std(ddof=1) / np.sqrt(len(values))) if len(values) > 1 else 0.0
            )
            out[name] = {"mean": mean, "low": mean - half, "high": mean + half}
        return out


def world_build(
    *,
    demand_mean: np.ndarray,
    demand_sd: np.ndarray,
    lead_time_samples: pd.DataFrame,
    series: pd.DataFrame,
    excess_cover_days: int,
) -> SimulationWorld:
    """Arrays for :func:`simulate` from the frames of ``inventory.inputs.PolicyInputs``
    (``lead_time_samples``: long frame series, lead_time_days)."""
    n = len(series)
    grouped = lead_time_samples.groupby("series")["lead_time_days"]
    counts = grouped.size().reindex(range(n), fill_value=0).to_numpy()
    width = max(int(counts.max(initial=1)), 1)
    samples = np.zeros((n, width))
    ranks = grouped.cumcount().to_numpy()
    samples[lead_time_samples["series"].to_numpy(), ranks] = np.rint(
        lead_time_samples["lead_time_days"].to_numpy()
    )
    shelf = (
        series["shelf_life_days"].to_numpy(float)
        if "shelf_life_days" in series
        else np.full(n, np.nan)
    )
    shelf = np.where(np.isfinite(shelf) & (shelf > 0), shelf, np.inf)
    missing = counts == 0
    fallback = np.rint(series["lead_time_days"].fillna(1.0).to_numpy())
    samples[missing, 0] = fallback[missing]
    counts = np.maximum(counts, 1)
    return SimulationWorld(
        demand_mean=np.asarray(demand_mean, dtype=float).clip(min=0.0),
        demand_sd=np.asarray(demand_sd, dtype=float).clip(min=0.0),
        lead_time_samples=samples.clip(min=0.0),
        lead_time_counts=counts,
        unit_cost=series["unit_cost"].to_numpy(float),
        unit_price=series["unit_price"].to_numpy(float),
        moq=series["moq"].to_numpy(float).clip(min=1.0),
        case_pack=series["case_pack"].to_numpy(float).clip(min=1.0),
        excess_need=forward_need(
            np.asarray(demand_mean, dtype=float), np.minimum(shelf, excess_cover_days)
        ),
        shelf_life=shelf,
    )


def forward_need(mean: np.ndarray, cover_days: np.ndarray | float) -> np.ndarray:
    """Forecast demand of days t+1..t+cover (cover per series, whole days) for every day t;
    past the horizon the last week's average continues."""
    n, days = mean.shape
    cover = np.broadcast_to(np.asarray(cover_days, dtype=float), (n,))
    cover = np.rint(cover).astype(int)
    longest = int(cover.max(initial=0))
    tail = mean[:, -7:].mean(axis=1, keepdims=True) if days else np.zeros((n, 1))
    extended = np.hstack([mean, np.repeat(tail, longest + 1, axis=1)])
    cum = np.hstack([np.zeros((n, 1)), np.cumsum(extended, axis=1)])
    t = np.arange(days)[None, :]
    rows = np.arange(n)[:, None]
    return cum[rows, t + 1 + cover[:, None]] - cum[rows, t + 1]


def simulate(
    policies: dict[str, SimulatedPolicy],
    world: SimulationWorld,
    rates: CostRates,
    *,
    paths: int,
    review_days: int = 1,
    seed: int = 0,
) -> dict[str, SimulationResult]:
    """Simulate every policy over the same ``paths`` demand and lead-time draws."""
    if paths < 2:
        raise ValueError("At least two paths are needed for a confidence interval.")
    n = world.size
    batch = max(1, min(paths, BATCH_CELLS // max(n, 1)))
    rng = np.random.default_rng(seed)
    parts: dict[str, list[dict[str, np.ndarray]]] = {name: [] for name in policies}
    done = 0
    while done < paths:
        size = min(batch, paths - done)
        start = rng.random((size, n))
        bank = _lead_bank(rng, world, size)
        states = {name: _State(policy, world, start, bank) for name, policy in policies.items()}
        for day in range(world.days):
            demand = _draw_demand(rng, world, day, size)
            for state in states.values():
                state.step(day, demand, review_days)
        for name, state in states.items():
            parts[name].append(state.totals(world.days))
        done += size
    return {name: _combine(chunks, world, rates) for name, chunks in parts.items()}


def _draw_demand(
    rng: np.random.Generator, world: SimulationWorld, day: int, paths: int
) -> np.ndarray:
    """One day's demand, paths × series: gamma–Poisson with the forecast's mean and variance
    (plain Poisson where the variance is no more than the mean)."""
    mu = world.demand_mean[:, day]
    var = world.demand_sd[:, day] ** 2
    over = var > mu * 1.0001
    demand = np.zeros((paths, len(mu)))
    plain = np.flatnonzero(~over & (mu > 0))
    if len(plain):
        demand[:, plain] = rng.poisson(mu[plain], (paths, len(plain)))
    lumpy = np.flatnonzero(over & (mu > 0))
    if len(lumpy):
        shape = mu[lumpy] ** 2 / (var[lumpy] - mu[lumpy])
        rate = rng.standard_gamma(shape, (paths, len(lumpy))) * (mu[lumpy] / shape)
        demand[:, lumpy] = rng.poisson(rate)
    return demand


LEAD_BANK = 8


def _lead_bank(rng: np.random.Generator, world: SimulationWorld, paths: int) -> np.ndarray:
    """Lead times of each path's k-th order (k mod ``LEAD_BANK``), drawn from the receipts;
    every policy's k-th order on a path waits the same time (common random numbers)."""
    n = world.size
    pick = (rng.random((LEAD_BANK, paths, n)) * world.lead_time_counts).astype(np.int64)
    return world.lead_time_samples[np.arange(n)[None, None, :], pick].astype(np.int64)


def _levels(values: np.ndarray, day: int) -> np.ndarray:
    return values[min(day, len(values) - 1)] if values.ndim == 2 else values


class _State:
    """One policy's stock on every path: on hand, the pipeline of orders and the tallies.

    Paths start at the policy's base-stock level, or for (s, S) / (r, Q) at a level drawn
    uniformly between the reorder point and the order-up-to level (where the inventory
    position of such a policy spends its time), with nothing on order.
    """

    TALLIES = (
        "spoiled",
        "cycles",
        "short_cycles",
        "demand",
        "lost",
        "stock",
        "excess_units",
        "stockout_days",
        "orders",
    )

    def __init__(
        self, policy: SimulatedPolicy, world: SimulationWorld, start: np.ndarray, bank: np.ndarray
    ):
        self.policy = policy
        self.world = world
        self.bank = bank
        paths, n = start.shape
        reorder0 = _levels(policy.reorder_point, 0)
        up_to0 = _levels(policy.order_up_to, 0)
        self.is_base = policy.kind == "base_stock"
        self.is_rq = policy.kind == "rQ"
        span = np.maximum(up_to0 - reorder0, 1.0)
        level = np.where(self.is_base, up_to0, np.floor(reorder0 + 1.0 + start * span))
        self.on_hand = np.maximum(level, 0.0)
        self.on_order = np.zeros((paths, n))
        self.ring_size = int(world.lead_time_samples.max(initial=0)) + 1
        self.ring = np.zeros((self.ring_size, paths, n))
        self.short = np.zeros((paths, n), dtype=bool)
        self.acc = {key: np.zeros((paths, n)) for key in self.TALLIES}
        self.count = np.zeros((paths, n), dtype=np.int64)
        # FIFO ages of perishables: cumulative units received through each day (the opening
        # stock counts as received on day 0) and units gone (sold or expired).
        self.perishable = np.flatnonzero(np.isfinite(world.shelf_life))
        self.shelf = world.shelf_life[self.perishable].astype(int)
        mean_lead = world.lead_time_samples.sum(axis=1) / world.lead_time_counts
        self.lead_mean = np.rint(mean_lead[self.perishable]).astype(int)
        self.received_through = np.zeros((world.days, paths, len(self.perishable)))
        self.cum_in = self.on_hand[:, self.perishable].copy()
        self.cum_out = np.zeros((paths, len(self.perishable)))

    def step(self, day: int, demand: np.ndarray, review: int) -> None:
        acc, world, policy = self.acc, self.world, self.policy
        if day % review == 0:
            self._order(day, _levels(policy.reorder_point, day), policy, world)
        today = day % self.ring_size
        arriving = self.ring[today]
        received = arriving > 0
        acc["cycles"] += received
        acc["short_cycles"] += received & self.short
        self.short &= ~received
        self.on_hand += arriving
        self.on_order -= arriving
        self.ring[today] = 0.0
        if len(self.perishable):
            self._expire(day, arriving)
        served = np.minimum(demand, self.on_hand)
        lost = demand - served
        self.on_hand -= served
        if len(self.perishable):
            self.cum_out += served[:, self.perishable]
        self.short |= lost > 0
        acc["demand"] += demand
        acc["lost"] += lost
        acc["stockout_days"] += lost > 0
        acc["stock"] += self.on_hand
        acc["excess_units"] += np.maximum(self.on_hand - world.excess_need[:, day], 0.0)

    def _order(
        self, day: int, reorder: np.ndarray, policy: SimulatedPolicy, world: SimulationWorld
    ) -> None:
        """Orders of the cells at or below their reorder point (base stock: below S)."""
        up_to = _levels(policy.order_up_to, day)
        position = self.on_hand + self.on_order
        if policy.skips_expiring and len(self.perishable) and day > 0:
            position[:, self.perishable] -= self._expiring_before_arrival(day)
        trigger = np.where(self.is_base, position < up_to, position <= reorder)
        rows, cols = np.nonzero(trigger)
        if not len(rows):
            return
        pos = position[rows, cols]
        lot = np.maximum(_levels(policy.order_quantity, day)[cols], 1.0)
        pack = world.case_pack[cols]
        lots = (np.floor((reorder[cols] - pos) / lot) + 1.0) * lot
        top_up = np.maximum(np.ceil((up_to[cols] - pos) / pack - 1e-9) * pack, world.moq[cols])
        qty = np.maximum(np.where(self.is_rq[cols], lots, top_up), 0.0)
        lead = self.bank[self.count[rows, cols] % LEAD_BANK, rows, cols]
        self.ring[(day + lead) % self.ring_size, rows, cols] += qty
        self.on_order[rows, cols] += qty
        self.count[rows, cols] += 1

    def _expiring_before_arrival(self, day: int) -> np.ndarray:
        """Units on hand that expire before an order placed today arrives (mean lead time):
        those received on or before day + lead − shelf and not yet gone (FIFO)."""
        cols = self.perishable
        born = np.clip(day + self.lead_mean - self.shelf, -1, day - 1)
        old = born >= 0
        out = np.zeros((self.on_hand.shape[0], len(cols)))
        if old.any():
            idx = np.flatnonzero(old)
            gone = self.received_through[born[idx], :, idx].T - self.cum_out[:, idx]
            out[:, idx] = np.clip(gone, 0.0, self.on_hand[:, cols[idx]])
        return out

    def _expire(self, day: int, arriving: np.ndarray) -> None:
        """Receive into the FIFO ledger, then discard units received ``shelf`` days ago or
        earlier that are still on hand (sales take the oldest units first)."""
        cols = self.perishable
        self.cum_in += arriving[:, cols]
        self.received_through[day] = self.cum_in
        born = day - self.shelf
        old = born >= 0
        if not old.any():
            return
        idx = np.flatnonzero(old)
        expired = np.maximum(self.received_through[born[idx], :, idx].T - self.cum_out[:, idx], 0.0)
        expired = np.minimum(expired, self.on_hand[:, cols[idx]])
        self.on_hand[:, cols[idx]] -= expired
        self.cum_out[:, idx] += expired
        self.acc["spoiled"][:, cols[idx]] += expired

    def totals(self, days: int) -> dict[str, np.ndarray]:
        self.acc["orders"] = self.count.astype(float)
        return {**self.acc, "days": np.full(self.on_hand.shape, float(days))}


def _combine(
    chunks: list[dict[str, np.ndarray]], world: SimulationWorld, rates: CostRates
) -> SimulationResult:
    acc = {key: np.concatenate([c[key] for c in chunks]) for key in chunks[0]}
    days = acc["days"][0, 0]
    cost = world.unit_cost[None, :]
    h_day = rates.holding_rate_per_year * cost / DAYS_PER_YEAR
    holding = (acc["stock"] * h_day).sum(axis=1)
    ordering = rates.order_cost * acc["orders"].sum(axis=1)
    shortage = (acc["lost"] * rates.shortage_cost_share * world.unit_price[None, :]).sum(axis=1)
    spoilage = (acc["spoiled"] * cost).sum(axis=1)
    demand = acc["demand"].sum(axis=1)
    served = demand - acc["lost"].sum(axis=1)
    stock_units = acc["stock"].sum(axis=1) / days
    stock_value = (acc["stock"] * cost).sum(axis=1) / days
    served_value_per_day = ((acc["demand"] - acc["lost"]) * cost).sum(axis=1) / days
    cycles = acc["cycles"].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_path = {
            "cycle_service_level": 1.0 - acc["short_cycles"].sum(axis=1) / cycles,
            "fill_rate": served / demand,
            "average_stock": stock_units,
            "average_stock_value": stock_value,
            "excess_stock": (acc["excess_units"] * cost).sum(axis=1) / days,
            "stockout_days": acc["stockout_days"].sum(axis=1),
            "lost_units": acc["lost"].sum(axis=1),
            "days_of_supply": stock_value / served_value_per_day,
            "turnover": served_value_per_day * DAYS_PER_YEAR / stock_value,
            "holding_cost": holding,
            "ordering_cost": ordering,
            "shortage_cost": shortage,
            "spoiled_units": acc["spoiled"].sum(axis=1),
            "spoilage_cost": spoilage,
            "total_cost": holding + ordering + shortage + spoilage,
            "orders": acc["orders"].sum(axis=1),
        }
        series_cycles = acc["cycles"].sum(axis=0)
        per_series = {
            "cycle_service_level": 1.0 - acc["short_cycles"].sum(axis=0) / series_cycles,
            "cycles": series_cycles,
            "fill_rate": 1.0 - acc["lost"].sum(axis=0) / acc["demand"].sum(axis=0),
            "average_stock": acc["stock"].mean(axis=0) / days,
            "orders": acc["orders"].mean(axis=0),
            "excess_stock": (acc["excess_units"] * cost).mean(axis=0) / days,
        }
    return SimulationResult(per_path=per_path, per_series=per_series)


def policy_from_frame(policies: pd.DataFrame) -> SimulatedPolicy:
    """A static policy from ``policies_compute`` output."""
    return SimulatedPolicy(
        kind=policies["policy_type"].to_numpy(),
        reorder_point=policies["reorder_point"].to_numpy(float),
        order_up_to=policies["order_up_to"].to_numpy(float),
        order_quantity=policies["order_quantity"].fillna(1.0).to_numpy(float),
    )


def baseline_min_max(
    average_demand_per_day: np.ndarray,
    lead_time_days: np.ndarray,
    *,
    cover_days: float = 14.0,
) -> SimulatedPolicy:
    """The static min/max rule many retailers run: reorder when stock on hand and on order
    falls to min = average demand over the lead time, up to max = min + ``cover_days`` of
    average demand (no forecast, no safety stock for variability)."""
    d = np.asarray(average_demand_per_day, dtype=float).clip(min=0.0)
    low = np.round(d * np.asarray(lead_time_days, dtype=float))
    high = np.maximum(np.round(low + cover_days * d), low + 1.0)
    return SimulatedPolicy(
        kind=np.full(len(d), "sS"),
        reorder_point=low,
        order_up_to=high,
        order_quantity=high - low,
    )
