"""What the order plan is given: locations, SKUs, demand, stock, budget and capacity.

The problem is a dataclass of frames and position-aligned arrays so that the database side
(``inventory/order_plan_inputs.py``) and tests build it the same way; ``plan_arrays`` turns it
into the broadcast arrays the model and the rounding read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True, eq=False)
class OrderPlanProblem:
    """Everything the plan needs, aligned by position.

    ``stores``: index store id; columns ``name``, ``warehouse_id`` (the supplying warehouse,
    missing: supplied by the supplier directly), ``lead_time_periods`` (warehouse → store
    transport, whole periods), ``capacity_units`` (NaN: no limit).
    ``warehouses``: index warehouse id; columns ``name``, ``capacity_units``.
    ``skus``: index SKU id; columns ``name``, ``unit_cost``, ``moq`` (supplier minimum order,
    units), ``case_pack`` (units per case), ``lead_time_periods`` (supplier → warehouse),
    ``holding_cost_per_period`` and ``shortage_cost`` (per unit lost).
    Arrays: ``store_*`` are (stores, SKUs[, periods]), ``warehouse_*`` (warehouses, SKUs[,
    periods]); safety stock may be per period (it follows the season) or one value.
    ``budget_per_period``: purchases allowed per period (NaN or None: no cap).
    """

    stores: pd.DataFrame
    warehouses: pd.DataFrame
    skus: pd.DataFrame
    store_demand: np.ndarray
    store_safety_stock: np.ndarray
    store_opening_stock: np.ndarray
    store_scheduled_receipts: np.ndarray
    warehouse_safety_stock: np.ndarray
    warehouse_opening_stock: np.ndarray
    warehouse_scheduled_receipts: np.ndarray
    budget_per_period: np.ndarray | None = None
    order_cost: float = 25.0
    transport_cost_per_unit: float = 0.05
    safety_stock_weight: float = 0.5
    period_labels: tuple[str, ...] = field(default_factory=tuple)
    currency: str = "EUR"

    @property
    def periods(self) -> int:
        return int(self.store_demand.shape[2])

    def label(self, period: int) -> str:
        """A period as people name it: the given label, else "week N" (1-based)."""
        if self.period_labels:
            return self.period_labels[period]
        return f"week {period + 1}"


def order_plan_problem_check(problem: OrderPlanProblem) -> None:
    """Raise ``ValueError`` naming the first inconsistent input (shapes, signs, references)."""
    n_s, n_w, n_k = len(problem.stores), len(problem.warehouses), len(problem.skus)
    if problem.store_demand.ndim != 3 or problem.store_demand.shape[:2] != (n_s, n_k):
        raise ValueError(
            f"store_demand must be (stores={n_s}, SKUs={n_k}, periods), "
            f"got {problem.store_demand.shape}"
        )
    t = problem.periods
    if t < 1:
        raise ValueError("The plan needs at least one period.")
    shapes = {
        "store_opening_stock": (problem.store_opening_stock, (n_s, n_k)),
        "store_scheduled_receipts": (problem.store_scheduled_receipts, (n_s, n_k, t)),
        "warehouse_opening_stock": (problem.warehouse_opening_stock, (n_w, n_k)),
        "warehouse_scheduled_receipts": (problem.warehouse_scheduled_receipts, (n_w, n_k, t)),
    }
    for name, (array, shape) in shapes.items():
        if array.shape != shape:
            raise ValueError(f"{name} must have shape {shape}, got {array.shape}")
    for name, array, base in (
        ("store_safety_stock", problem.store_safety_stock, (n_s, n_k)),
        ("warehouse_safety_stock", problem.warehouse_safety_stock, (n_w, n_k)),
    ):
        if array.shape not in (base, (*base, t)):
            raise ValueError(f"{name} must have shape {base} or {(*base, t)}, got {array.shape}")
    arrays = {
        "store_demand": problem.store_demand,
        **{name: array for name, (array, _) in shapes.items()},
        "store_safety_stock": problem.store_safety_stock,
        "warehouse_safety_stock": problem.warehouse_safety_stock,
    }
    for name, array in arrays.items():
        if not np.all(np.isfinite(array)) or np.any(array < 0):
            raise ValueError(f"{name} must be finite and not negative")
    for column in ("unit_cost", "moq", "case_pack", "lead_time_periods"):
        if column not in problem.skus or problem.skus[column].isna().any():
            raise ValueError(f"Every SKU needs a {column}")
    if (problem.skus["case_pack"] < 1).any():
        raise ValueError("A case pack is at least 1 unit")
    if (problem.skus[["unit_cost", "moq", "lead_time_periods"]] < 0).any().any():
        raise ValueError("Unit cost, MOQ and lead time cannot be negative")
    supplying = problem.stores["warehouse_id"].dropna()
    unknown = set(supplying) - set(problem.warehouses.index)
    if unknown:
        raise ValueError(f"Stores are supplied by unknown warehouses: {sorted(unknown)}")
    if problem.budget_per_period is not None and len(problem.budget_per_period) != t:
        raise ValueError(f"budget_per_period needs one value per period ({t})")
    if problem.period_labels and len(problem.period_labels) != t:
        raise ValueError(f"period_labels needs one label per period ({t})")


@dataclass(frozen=True)
class PlanArrays:
    """The problem's inputs as plain arrays, broadcast and derived once."""

    demand: np.ndarray
    store_ss: np.ndarray
    store_open: np.ndarray
    store_sched: np.ndarray
    wh_ss: np.ndarray
    wh_open: np.ndarray
    wh_sched: np.ndarray
    store_wh: np.ndarray
    store_lead: np.ndarray
    sku_lead: np.ndarray
    pack: np.ndarray
    moq: np.ndarray
    unit_cost: np.ndarray
    holding: np.ndarray
    shortage: np.ndarray
    store_capacity: np.ndarray
    wh_capacity: np.ndarray
    budget: np.ndarray
    active_store: np.ndarray
    active_wh: np.ndarray


def plan_arrays(problem: OrderPlanProblem) -> PlanArrays:
    n_t = problem.periods
    skus = problem.skus
    wh_pos = {wid: i for i, wid in enumerate(problem.warehouses.index)}
    store_wh = np.array(
        [wh_pos[w] if pd.notna(w) else -1 for w in problem.stores["warehouse_id"]], dtype=int
    )
    store_ss = np.asarray(problem.store_safety_stock, dtype=float)
    if store_ss.ndim == 2:
        store_ss = np.repeat(store_ss[:, :, None], n_t, axis=2)
    wh_ss = np.asarray(problem.warehouse_safety_stock, dtype=float)
    if wh_ss.ndim == 2:
        wh_ss = np.repeat(wh_ss[:, :, None], n_t, axis=2)
    demand = np.asarray(problem.store_demand, dtype=float)
    active_store = (demand.sum(axis=2) > 0) | (store_ss.max(axis=2) > 0)
    active_wh = wh_ss.max(axis=2) > 0
    for s, w in enumerate(store_wh):
        if w >= 0:
            active_wh[w] |= active_store[s]
    budget = (
        np.full(n_t, np.nan)
        if problem.budget_per_period is None
        else np.asarray(problem.budget_per_period, dtype=float)
    )
    shortage = skus["shortage_cost"].to_numpy(float)
    return PlanArrays(
        demand=demand,
        store_ss=store_ss,
        store_open=np.asarray(problem.store_opening_stock, dtype=float),
        store_sched=np.asarray(problem.store_scheduled_receipts, dtype=float),
        wh_ss=wh_ss,
        wh_open=np.asarray(problem.warehouse_opening_stock, dtype=float),
        wh_sched=np.asarray(problem.warehouse_scheduled_receipts, dtype=float),
        store_wh=store_wh,
        store_lead=problem.stores["lead_time_periods"].fillna(0).to_numpy(int),
        sku_lead=skus["lead_time_periods"].to_numpy(int),
        pack=skus["case_pack"].to_numpy(int),
        moq=skus["moq"].to_numpy(float),
        unit_cost=skus["unit_cost"].to_numpy(float),
        holding=skus["holding_cost_per_period"].to_numpy(float),
        shortage=shortage,
        store_capacity=problem.stores["capacity_units"].to_numpy(float),
        wh_capacity=problem.warehouses["capacity_units"].to_numpy(float),
        budget=budget,
        active_store=active_store,
        active_wh=active_wh,
    )


def projected_without_orders(opening: np.ndarray, sched: np.ndarray, out: np.ndarray):
    """Stock on hand after each period's receipts when nothing more is ordered (peak stock)."""
    stock = opening.copy()
    peaks = np.zeros_like(sched)
    for t in range(sched.shape[-1]):
        peaks[..., t] = stock + sched[..., t]
        stock = np.maximum(peaks[..., t] - out[..., t], 0.0)
    return peaks


def effective_capacity(a: PlanArrays, n_t: int) -> tuple[np.ndarray, np.ndarray]:
    """Capacity per location and period, never below what is already there or on its way.

    Stock already held or already ordered cannot be undone by this plan; capping below it
    would make every plan infeasible for a reason the plan cannot change.
    """
    store_peak = projected_without_orders(a.store_open, a.store_sched, a.demand).sum(axis=1)
    wh_peak = projected_without_orders(a.wh_open, a.wh_sched, np.zeros_like(a.wh_sched)).sum(axis=1)
    store_cap = np.maximum(np.repeat(a.store_capacity[:, None], n_t, axis=1), store_peak)
    wh_cap = np.maximum(np.repeat(a.wh_capacity[:, None], n_t, axis=1), wh_peak)
    return store_cap, wh_cap
