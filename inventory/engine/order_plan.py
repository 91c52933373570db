"""The replenishment plan as a mixed-integer linear program (PuLP, solved by HiGHS or CBC).

Stores are supplied by their warehouse (or straight from the supplier when they have none);
warehouses by suppliers with the SKU's lead time. Over the horizon's periods the program
chooses how many whole cases each location orders, subject to

* stock balance with lead times (an order placed in period ``t`` arrives in ``t + lead``),
* warehouse stock: a warehouse ships only what it holds, so when it is short the program
  allocates its stock to the stores where a lost sale costs most,
* minimum order quantities on supplier orders and whole case packs on every order,
* a purchase budget per period (supplier orders, valued at unit cost, in the period placed),
* storage capacity per store and per warehouse (stock on hand after the period's arrivals),

and minimises holding + ordering (a fixed cost per order line) + transport (per unit moved)
+ lost sales (demand above stock is lost, at the SKU's shortage cost) + a penalty for stock
below the safety stock, which is how the forecast's uncertainty enters a plan that otherwise
sees only the mean forecast. A unit below safety stock for the whole horizon costs
``safety_stock_weight`` of a lost sale (default a half: at zero safety stock, about half the
cycles run out), so with a tight budget the plan prevents lost sales first.

The plan is always feasible (ordering nothing is). When budget, capacity or minimum order
quantities keep it from serving demand it could otherwise serve, a second, elastic program
finds by how much: it minimises lost sales first, with slack on those constraints, and the
nonzero slacks are the binding constraints (status ``"infeasible"``, ``explanation`` names
them; ``lines`` stay the best plan within the constraints, accepting the lost sales).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp

from inventory.engine.order_plan_explain import (
    BindingSlack,
    binding_explanation,
    line_reason,
)

SOLVERS = ("highs", "cbc")
_SLACK_TOLERANCE = 0.5


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class OrderPlanSolution:
    """The plan: order lines with a reason each, the solve's facts, and projected stock."""

    lines: pd.DataFrame
    status: str
    solver: str
    seconds: float
    mip_gap: float | None
    objective: float | None
    explanation: str
    projection: pd.DataFrame
    cost_breakdown: dict[str, float]
    method: str = "milp"


LINE_COLUMNS = [
    "store_id",
    "warehouse_id",
    "sku_id",
    "source_warehouse_id",
    "order_period",
    "arrival_period",
    "quantity",
    "cases",
    "cost",
    "reason",
]


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
class _SupplierLine:
    """A supplier order variable with what rounding it needs: pack, MOQ, cost, where it lands."""

    cases: pulp.LpVariable
    used: pulp.LpVariable
    pack: int
    moq: float
    unit_cost: float
    period: int
    location: tuple[str, int]
    arrival: int
    sku: int


@dataclass
class _Model:
    """The PuLP model with its variables kept by position, for reading the solution back."""

    lp: pulp.LpProblem
    store_cases: dict[tuple[int, int, int], pulp.LpVariable]
    store_stock: dict[tuple[int, int, int], pulp.LpVariable]
    store_lost: dict[tuple[int, int, int], pulp.LpVariable]
    store_gap: dict[tuple[int, int, int], pulp.LpVariable]
    warehouse_gap: dict[tuple[int, int, int], pulp.LpVariable]
    warehouse_cases: dict[tuple[int, int, int], pulp.LpVariable]
    warehouse_stock: dict[tuple[int, int, int], pulp.LpVariable]
    budget_slack: dict[int, pulp.LpVariable]
    capacity_slack: dict[tuple[str, int, int], pulp.LpVariable]
    moq_slack: dict[tuple[str, int, int, int], pulp.LpVariable]
    purchases: dict[int, pulp.LpAffineExpression]
    supplier_lines: list[_SupplierLine]
    capacity_use: dict[tuple[str, int, int], tuple[pulp.LpAffineExpression, float]]


@dataclass(frozen=True)
class _Arrays:
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


def _arrays(problem: OrderPlanProblem) -> _Arrays:
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
    return _Arrays(
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


def _projected_without_orders(opening: np.ndarray, sched: np.ndarray, out: np.ndarray):
    """Stock on hand after each period's receipts when nothing more is ordered (peak stock)."""
    stock = opening.copy()
    peaks = np.zeros_like(sched)
    for t in range(sched.shape[-1]):
        peaks[..., t] = stock + sched[..., t]
        stock = np.maximum(peaks[..., t] - out[..., t], 0.0)
    return peaks


def _effective_capacity(a: _Arrays, n_t: int) -> tuple[np.ndarray, np.ndarray]:
    """Capacity per location and period, never below what is already there or on its way.

    Stock already held or already ordered cannot be undone by this plan; capping below it
    would make every plan infeasible for a reason the plan cannot change.
    """
    store_peak = _projected_without_orders(a.store_open, a.store_sched, a.demand).sum(axis=1)
    wh_peak = _projected_without_orders(a.wh_open, a.wh_sched, np.zeros_like(a.wh_sched)).sum(
        axis=1
    )
    store_cap = np.maximum(np.repeat(a.store_capacity[:, None], n_t, axis=1), store_peak)
    wh_cap = np.maximum(np.repeat(a.wh_capacity[:, None], n_t, axis=1), wh_peak)
    return store_cap, wh_cap


def _build(problem: OrderPlanProblem, a: _Arrays, *, diagnose: bool) -> _Model:
    """The MILP. ``diagnose``: lost sales first, with slack on budget, capacity and MOQ."""
    n_s, n_k, n_t = a.demand.shape
    n_w = len(problem.warehouses)
    lp = pulp.LpProblem("order_plan_diagnosis" if diagnose else "order_plan", pulp.LpMinimize)
    objective: list = []
    m = _Model(lp, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, [], {})
    purchases: dict[int, list] = {t: [] for t in range(n_t)}
    store_fill: dict[tuple[int, int], list] = {}
    wh_fill: dict[tuple[int, int], list] = {}
    wh_out: dict[tuple[int, int, int], list] = {}
    mean_cost = float(np.mean(a.unit_cost)) if n_k else 1.0
    mean_cost = mean_cost if mean_cost > 0 else 1.0
    order_size = np.maximum(a.moq, a.pack)
    lost_weight = 2.0 * float(np.max(order_size * np.maximum(1.0, a.unit_cost / mean_cost)))
    lost_weight += 1.0
    ss_penalty = problem.safety_stock_weight * a.shortage / n_t

    def order_link(cases, pack, moq, upper_cases, key_prefix, key, arrival):
        """A supplier order line: a fixed cost when placed, and at least the MOQ."""
        used = lp.add_variable(f"y_{key_prefix}_{key}", cat="Binary")
        location = ("store" if key_prefix == "s" else "warehouse", key[0])
        m.supplier_lines.append(
            _SupplierLine(
                cases,
                used,
                pack,
                float(moq),
                float(a.unit_cost[key[1]]),
                key[2],
                location,
                arrival,
                key[1],
            )
        )
        lp.addConstraint(cases <= upper_cases * used)
        if moq > pack:
            slack = 0
            if diagnose:
                slack = lp.add_variable(f"moq_slack_{key_prefix}_{key}", 0)
                m.moq_slack[(key_prefix, *key)] = slack
                objective.append(slack)
            lp.addConstraint(pack * cases + slack >= moq * used)
        if not diagnose:
            objective.append(problem.order_cost * used)

    for s in range(n_s):
        w = a.store_wh[s]
        supplier = w < 0
        lead = a.sku_lead if supplier else np.full(n_k, a.store_lead[s])
        for k in np.flatnonzero(a.active_store[s]):
            d = a.demand[s, k]
            pack = int(a.pack[k])
            # No order needs more than the demand left after it lands, the safety stock and
            # one minimum order: a tight bound keeps the relaxation (and its gap) honest.
            spare = a.store_ss[s, k].max() + max(a.moq[k], pack)
            arrivals = [0] * n_t
            for t in range(n_t - lead[k]):
                upper_cases = math.ceil((d[t + lead[k] :].sum() + spare) / pack)
                cases = lp.add_variable(f"c_{s}_{k}_{t}", 0, upper_cases, cat="Integer")
                m.store_cases[(s, k, t)] = cases
                if supplier:
                    order_link(cases, pack, a.moq[k], upper_cases, "s", (s, k, t), t + lead[k])
                arrivals[t + lead[k]] = pack * cases
                if not diagnose:
                    objective.append(problem.transport_cost_per_unit * pack * cases)
                if supplier:
                    purchases[t].append(a.unit_cost[k] * pack * cases)
                else:
                    wh_out.setdefault((w, k, t), []).append(pack * cases)
            previous = a.store_open[s, k]
            for t in range(n_t):
                stock = lp.add_variable(f"i_{s}_{k}_{t}", 0)
                m.store_stock[(s, k, t)] = stock
                lost = 0
                if d[t] > 0:
                    lost = lp.add_variable(f"lost_{s}_{k}_{t}", 0, float(d[t]))
                    m.store_lost[(s, k, t)] = lost
                    objective.append((lost_weight if diagnose else a.shortage[k]) * lost)
                lp.addConstraint(
                    stock == previous + a.store_sched[s, k, t] + arrivals[t] - d[t] + lost
                )
                store_fill.setdefault((s, t), []).append(
                    previous + a.store_sched[s, k, t] + arrivals[t]
                )
                ss = a.store_ss[s, k, t]
                if ss > 0 and not diagnose:
                    gap = lp.add_variable(f"g_{s}_{k}_{t}", 0, float(ss))
                    m.store_gap[(s, k, t)] = gap
                    lp.addConstraint(gap + stock >= ss)
                    objective.append(ss_penalty[k] * gap)
                if not diagnose:
                    objective.append(a.holding[k] * stock)
                previous = stock

    for w in range(n_w):
        for k in np.flatnonzero(a.active_wh[w]):
            pack = int(a.pack[k])
            lead = int(a.sku_lead[k])
            served = a.store_wh == w
            downstream = a.demand[served, k].sum(axis=0)
            spare = (
                a.store_ss[served, k].max(axis=1).sum() + a.wh_ss[w, k].max() + max(a.moq[k], pack)
            )
            arrivals = [0] * n_t
            for t in range(n_t - lead):
                upper_cases = math.ceil((downstream[t + lead :].sum() + spare) / pack)
                cases = lp.add_variable(f"cw_{w}_{k}_{t}", 0, upper_cases, cat="Integer")
                m.warehouse_cases[(w, k, t)] = cases
                order_link(cases, pack, a.moq[k], upper_cases, "w", (w, k, t), t + lead)
                arrivals[t + lead] = pack * cases
                purchases[t].append(a.unit_cost[k] * pack * cases)
                if not diagnose:
                    objective.append(problem.transport_cost_per_unit * pack * cases)
            previous = a.wh_open[w, k]
            for t in range(n_t):
                stock = lp.add_variable(f"iw_{w}_{k}_{t}", 0)
                m.warehouse_stock[(w, k, t)] = stock
                shipped = pulp.lpSum(wh_out.get((w, k, t), []))
                lp.addConstraint(stock == previous + a.wh_sched[w, k, t] + arrivals[t] - shipped)
                wh_fill.setdefault((w, t), []).append(previous + a.wh_sched[w, k, t] + arrivals[t])
                ss = a.wh_ss[w, k, t]
                if ss > 0 and not diagnose:
                    gap = lp.add_variable(f"gw_{w}_{k}_{t}", 0, float(ss))
                    m.warehouse_gap[(w, k, t)] = gap
                    lp.addConstraint(gap + stock >= ss)
                    objective.append(ss_penalty[k] * gap)
                if not diagnose:
                    objective.append(a.holding[k] * stock)
                previous = stock

    store_cap, wh_cap = _effective_capacity(a, n_t)
    passive_store = np.where(a.active_store, 0.0, 1.0)[:, :, None] * _projected_without_orders(
        a.store_open, a.store_sched, a.demand
    )
    for kind, fill, cap, passive in (
        ("store", store_fill, store_cap, passive_store.sum(axis=1)),
        ("warehouse", wh_fill, wh_cap, None),
    ):
        for (loc, t), terms in fill.items():
            if not np.isfinite(cap[loc, t]):
                continue
            expr = pulp.lpSum(terms) + (passive[loc, t] if passive is not None else 0.0)
            slack = 0
            if diagnose:
                slack = lp.add_variable(f"cap_slack_{kind}_{loc}_{t}", 0)
                m.capacity_slack[(kind, loc, t)] = slack
                objective.append(slack)
            lp.addConstraint(expr <= cap[loc, t] + slack)
            m.capacity_use[(kind, loc, t)] = (expr, float(cap[loc, t]))

    for t in range(n_t):
        m.purchases[t] = pulp.lpSum(purchases[t])
        if np.isnan(a.budget[t]) or not purchases[t]:
            continue
        slack = 0
        if diagnose:
            slack = lp.add_variable(f"budget_slack_{t}", 0)
            m.budget_slack[t] = slack
            objective.append(slack / mean_cost)
        lp.addConstraint(m.purchases[t] <= a.budget[t] + slack)

    lp.setObjective(pulp.lpSum(objective))
    return m


def _solver(name: str, *, time_limit_s: float, mip_gap: float) -> pulp.LpSolver:
    if name == "highs":
        solver = pulp.HiGHS(msg=False, timeLimit=time_limit_s, gapRel=mip_gap, threads=1)
    elif name == "cbc":
        solver = pulp.COIN_CMD(msg=False, timeLimit=time_limit_s, gapRel=mip_gap, threads=1)
    else:
        raise ValueError(f"Unknown solver {name!r}: choose one of {', '.join(SOLVERS)}")
    if not solver.available():
        raise ValueError(f"The {name} solver is not installed here")
    return solver


def _value(var) -> float:
    if isinstance(var, (int, float)):
        return float(var)
    return float(var.value() or 0.0)


EXACT_INTEGER_LIMIT = 2000


@dataclass(frozen=True)
class _Solved:
    """What a solve of the plan's model came to, whichever method reached it."""

    has_solution: bool
    optimal: bool
    objective: float | None
    gap: float | None
    method: str


def order_plan_solve(
    problem: OrderPlanProblem,
    *,
    solver: str = "highs",
    time_limit_s: float = 60,
    mip_gap: float = 0.01,
) -> OrderPlanSolution:
    """Solve the plan; explain which constraint keeps it from serving demand, if any.

    Up to ``EXACT_INTEGER_LIMIT`` integer variables the MILP is solved as it stands. Above
    that (the demo company has ~7,000) the solver's root node alone can outlast the time
    limit without a single plan, so the plan is decomposed: the LP relaxation, supplier
    orders rounded to whole cases and MOQs within the budget and capacity it left free, then
    the MILP of the store deliveries with those orders fixed. The gap is then measured
    against the LP relaxation's bound, so it is an honest upper bound on the true gap.
    ``time_limit_s`` bounds the whole call (plan and diagnosis share it).
    """
    order_plan_problem_check(problem)
    _solver(solver, time_limit_s=time_limit_s, mip_gap=mip_gap)
    started = time.perf_counter()
    deadline = started + time_limit_s
    a = _arrays(problem)
    model = _build(problem, a, diagnose=False)
    integers = sum(1 for v in model.lp.variables() if v.cat != pulp.LpContinuous)
    solved = None
    if integers <= EXACT_INTEGER_LIMIT:
        solved = _solve_exact(model, solver, deadline, mip_gap)
    if solved is None or not solved.has_solution:
        solved = _solve_decomposed(problem, a, model, solver, deadline, mip_gap)
    if not solved.has_solution:
        return _no_solution(problem, solver, time.perf_counter() - started, time_limit_s)
    status = "optimal" if solved.optimal else "feasible"
    lines = _lines(problem, a, model)
    projection = _projection(problem, a, model)
    explanation = ""
    lost_units = float(projection["lost_sales"].sum())
    if lost_units > _SLACK_TOLERANCE and _constrained(a):
        slacks, diag_lost = _diagnose(
            problem, a, solver, deadline, exact=integers <= EXACT_INTEGER_LIMIT
        )
        if slacks:
            status = "infeasible"
            explanation = binding_explanation(
                problem,
                slacks,
                lost_units=lost_units - diag_lost,
                approximate=integers > EXACT_INTEGER_LIMIT,
            )
    return OrderPlanSolution(
        lines=lines,
        status=status,
        solver=solver,
        seconds=time.perf_counter() - started,
        mip_gap=solved.gap,
        objective=solved.objective,
        explanation=explanation,
        projection=projection,
        cost_breakdown=_cost_breakdown(problem, a, lines, projection),
        method=solved.method,
    )


def _remaining(deadline: float) -> float:
    return max(deadline - time.perf_counter(), 1.0)


def _finite_gap(gap: float | None) -> float | None:
    return None if gap is None or not math.isfinite(gap) else max(float(gap), 0.0)


def _solve_exact(model: _Model, solver: str, deadline: float, mip_gap: float) -> _Solved:
    stats = model.lp.solve(_solver(solver, time_limit_s=_remaining(deadline), mip_gap=mip_gap))
    gap = _finite_gap(stats.gap_rel)
    optimal = stats.status == pulp.LpSolveStatus.Optimal or (gap is not None and gap <= mip_gap)
    return _Solved(
        stats.has_solution,
        bool(stats.has_solution and optimal),
        float(stats.objective) if stats.objective is not None else None,
        gap if gap is not None else (0.0 if optimal else None),
        "milp",
    )


def _solve_decomposed(
    problem: OrderPlanProblem,
    a: _Arrays,
    model: _Model,
    solver: str,
    deadline: float,
    mip_gap: float,
) -> _Solved:
    """LP relaxation, supplier orders rounded and repaired, then store deliveries as a MILP."""
    categories = {v.name: v.cat for v in model.lp.variables()}
    for var in model.lp.variables():
        var.cat = pulp.LpContinuous
    relaxed = model.lp.solve(_solver(solver, time_limit_s=_remaining(deadline), mip_gap=mip_gap))
    for var in model.lp.variables():
        var.cat = categories[var.name]
    if not relaxed.has_solution or relaxed.objective is None:
        return _Solved(False, False, None, None, "lp-round-repair")
    bound = float(relaxed.objective)
    _round_supplier_orders(problem, a, model)
    start = _rounded_start(problem, a, model)
    objective = None
    if _remaining(deadline) > 2.0:
        stage = _solver(solver, time_limit_s=_remaining(deadline) - 1.0, mip_gap=mip_gap)
        stage.optionsDict["warmStart"] = start is not None
        stats = model.lp.solve(stage)
        if stats.has_solution and stats.objective is not None and model.lp.valid(1e-6):
            objective = float(stats.objective)
    if objective is None or (start is not None and objective > start[1]):
        if start is None:
            return _Solved(False, False, None, None, "lp-round-repair")
        for var, value in start[0].items():
            var.varValue = value
        objective = start[1]
    gap = _finite_gap((objective - bound) / abs(objective) if objective else 0.0)
    return _Solved(True, gap is not None and gap <= mip_gap, objective, gap, "lp-round-repair")


def _round_supplier_orders(problem: OrderPlanProblem, a: _Arrays, model: _Model) -> None:
    """Fix every supplier order to whole cases and at least its MOQ, within budget and room.

    Rounding down keeps the relaxation's budget and capacity; the cases it dropped are then
    added back, most-wanted first (largest fraction of a case or of the MOQ), while the
    period's budget and the receiving location's room (as the relaxation left it) allow.
    """
    room = {
        key: limit - float(pulp.value(expr) or 0.0)
        for key, (expr, limit) in model.capacity_use.items()
    }
    spend = {t: float(pulp.value(expr) or 0.0) for t, expr in model.purchases.items()}
    headroom = {t: a.budget[t] - spend[t] for t in spend}
    decided: list[tuple[_SupplierLine, int]] = []
    wanted: list[tuple[float, _SupplierLine, int, int]] = []
    for line in model.supplier_lines:
        relaxed_cases = max(_value(line.cases), 0.0)
        floor_cases = math.floor(relaxed_cases + 1e-6)
        min_cases = math.ceil(line.moq / line.pack) if line.moq > line.pack else 1
        if floor_cases >= min_cases:
            decided.append((line, floor_cases))
            freed_cases = relaxed_cases - floor_cases
            if freed_cases >= 0.5:
                wanted.append((freed_cases, line, floor_cases, floor_cases + 1))
        else:
            decided.append((line, 0))
            if relaxed_cases >= 0.5 * min_cases:
                wanted.append((relaxed_cases / min_cases, line, 0, min_cases))
        freed = (relaxed_cases - decided[-1][1]) * line.pack
        headroom[line.period] += freed * line.unit_cost
        kind, loc = line.location
        for t in range(line.arrival, problem.periods):
            if (kind, loc, t) in room:
                room[(kind, loc, t)] += freed
    chosen = {id(line): cases for line, cases in decided}
    for _, line, current, target in sorted(wanted, key=lambda item: -item[0]):
        extra_units = (target - current) * line.pack
        extra_cost = extra_units * line.unit_cost
        kind, loc = line.location
        keys = [(kind, loc, t) for t in range(line.arrival, problem.periods)]
        fits_budget = not math.isfinite(headroom[line.period]) or (
            headroom[line.period] >= extra_cost - 1e-6
        )
        fits_room = all(room.get(key, math.inf) >= extra_units - 1e-6 for key in keys)
        if fits_budget and fits_room:
            chosen[id(line)] = target
            headroom[line.period] -= extra_cost
            for key in keys:
                if key in room:
                    room[key] -= extra_units
    for line in model.supplier_lines:
        cases = chosen[id(line)]
        line.cases.lowBound = cases
        line.cases.upBound = cases
        line.used.lowBound = 1 if cases > 0 else 0
        line.used.upBound = 1 if cases > 0 else 0


def _rounded_start(problem: OrderPlanProblem, a: _Arrays, model: _Model):
    """A whole plan from the fixed supplier orders and the relaxation's deliveries, floored.

    Each warehouse ships, period by period, the relaxation's store deliveries rounded down to
    whole cases, cut back case by case (largest first) where its stock would not cover them;
    stock, lost sales and safety-stock gaps then follow. Returns the values and their cost,
    or ``None`` when they break a constraint (a warehouse over capacity), so the caller knows
    to rely on the solver alone.
    """
    n_s, n_k, n_t = a.demand.shape
    n_w = len(problem.warehouses)
    values: dict = {}
    wh_arrivals = np.zeros((n_w, n_k, n_t))
    store_arrivals = np.zeros((n_s, n_k, n_t))
    for line in model.supplier_lines:
        kind, loc = line.location
        units = line.cases.lowBound * line.pack
        target = wh_arrivals if kind == "warehouse" else store_arrivals
        target[loc, line.sku, line.arrival] += units
        values[line.cases] = line.cases.lowBound
        values[line.used] = line.used.lowBound
    transfers: dict[tuple[int, int, int], int] = {}
    for (s, k, t), var in model.store_cases.items():
        if a.store_wh[s] >= 0:
            transfers[(s, k, t)] = math.floor(max(_value(var), 0.0) + 1e-6)
    for w in range(n_w):
        stores_of_w = np.flatnonzero(a.store_wh == w)
        for k in np.flatnonzero(a.active_wh[w]):
            pack = int(a.pack[k])
            stock = a.wh_open[w, k]
            for t in range(n_t):
                available = stock + a.wh_sched[w, k, t] + wh_arrivals[w, k, t]
                keys = [(s, k, t) for s in stores_of_w if (s, k, t) in transfers]
                while keys and sum(transfers[key] for key in keys) * pack > available + 1e-6:
                    largest = max(keys, key=lambda key: transfers[key])
                    transfers[largest] -= 1
                shipped = sum(transfers[key] for key in keys) * pack
                stock = available - shipped
                if (w, k, t) in model.warehouse_stock:
                    values[model.warehouse_stock[(w, k, t)]] = stock
                if (w, k, t) in model.warehouse_gap:
                    values[model.warehouse_gap[(w, k, t)]] = max(a.wh_ss[w, k, t] - stock, 0.0)
    for (s, k, t), cases in transfers.items():
        values[model.store_cases[(s, k, t)]] = cases
        store_arrivals[s, k, t + a.store_lead[s]] += cases * a.pack[k]
    for s in range(n_s):
        for k in np.flatnonzero(a.active_store[s]):
            stock = a.store_open[s, k]
            for t in range(n_t):
                level = stock + a.store_sched[s, k, t] + store_arrivals[s, k, t] - a.demand[s, k, t]
                stock = max(level, 0.0)
                values[model.store_stock[(s, k, t)]] = stock
                if (s, k, t) in model.store_lost:
                    values[model.store_lost[(s, k, t)]] = max(-level, 0.0)
                if (s, k, t) in model.store_gap:
                    values[model.store_gap[(s, k, t)]] = max(a.store_ss[s, k, t] - stock, 0.0)
    for var, value in values.items():
        var.varValue = value
    if not model.lp.valid(1e-6):
        return None
    return values, float(pulp.value(model.lp.objective))


def _diagnose(
    problem: OrderPlanProblem, a: _Arrays, solver: str, deadline: float, *, exact: bool
) -> tuple[list[BindingSlack], float]:
    """The elastic program: which constraints must stretch, and by how much, to serve demand.

    On problems too big to solve exactly in the time left, its LP relaxation answers: the
    amounts are then the least the constraints must stretch (case packs aside).
    """
    diagnosis = _build(problem, a, diagnose=True)
    if not exact:
        for var in diagnosis.lp.variables():
            var.cat = pulp.LpContinuous
    stats = diagnosis.lp.solve(_solver(solver, time_limit_s=_remaining(deadline), mip_gap=1e-4))
    if not stats.has_solution:
        return [], 0.0
    lost = sum(_value(v) for v in diagnosis.store_lost.values())
    return _binding_slacks(problem, a, diagnosis), lost


def _constrained(a: _Arrays) -> bool:
    """Whether a budget, a capacity or an MOQ above the case pack could hold the plan back."""
    return bool(
        np.isfinite(a.budget).any()
        or np.isfinite(a.store_capacity).any()
        or np.isfinite(a.wh_capacity).any()
        or (a.moq > a.pack).any()
    )


def _no_solution(
    problem: OrderPlanProblem, solver: str, seconds: float, time_limit_s: float
) -> OrderPlanSolution:
    empty = pd.DataFrame(columns=LINE_COLUMNS)
    return OrderPlanSolution(
        lines=empty,
        status="feasible",
        solver=solver,
        seconds=seconds,
        mip_gap=None,
        objective=None,
        explanation=(
            f"The solver found no plan within the time limit of {time_limit_s:g} s; "
            "nothing is recommended. Raise the time limit or plan fewer stores at once."
        ),
        projection=pd.DataFrame(),
        cost_breakdown={},
        method="none",
    )


def _binding_slacks(problem: OrderPlanProblem, a: _Arrays, m: _Model) -> list[BindingSlack]:
    slacks: list[BindingSlack] = []
    for t, var in m.budget_slack.items():
        amount = _value(var)
        if amount > _SLACK_TOLERANCE:
            slacks.append(BindingSlack("budget", None, None, t, amount, float(a.budget[t])))
    for (kind, loc, t), var in m.capacity_slack.items():
        amount = _value(var)
        if amount > _SLACK_TOLERANCE:
            _, limit = m.capacity_use[(kind, loc, t)]
            slacks.append(BindingSlack(f"{kind}_capacity", loc, None, t, amount, limit))
    for (prefix, loc, k, t), var in m.moq_slack.items():
        amount = _value(var)
        if amount > _SLACK_TOLERANCE:
            kind = "store_moq" if prefix == "s" else "warehouse_moq"
            slacks.append(BindingSlack(kind, loc, k, t, amount, float(a.moq[k])))
    return slacks


def _quantity(var) -> int:
    return round(_value(var))


def _lines(problem: OrderPlanProblem, a: _Arrays, m: _Model) -> pd.DataFrame:
    """Order lines with cost and a plain-words reason, read from the solved model."""
    n_t = problem.periods
    store_stock = _stock_array(m.store_stock, a.demand.shape)
    wh_stock = _stock_array(m.warehouse_stock, (len(problem.warehouses), *a.demand.shape[1:]))
    store_arrivals = np.zeros(a.demand.shape)
    store_orders = []
    for (s, k, t), var in m.store_cases.items():
        cases = _quantity(var)
        if cases > 0:
            lead = a.sku_lead[k] if a.store_wh[s] < 0 else a.store_lead[s]
            store_arrivals[s, k, t + lead] += cases * a.pack[k]
            store_orders.append((s, k, t, int(t + lead), cases))
    wh_arrivals = np.zeros(wh_stock.shape)
    wh_orders = []
    for (w, k, t), var in m.warehouse_cases.items():
        cases = _quantity(var)
        if cases > 0:
            wh_arrivals[w, k, t + a.sku_lead[k]] += cases * a.pack[k]
            wh_orders.append((w, k, t, int(t + a.sku_lead[k]), cases))
    shipments = np.zeros(wh_stock.shape)
    for s, k, t, _, cases in store_orders:
        if a.store_wh[s] >= 0:
            shipments[a.store_wh[s], k, t] += cases * a.pack[k]

    rows = []
    store_ids, wh_ids, sku_ids = problem.stores.index, problem.warehouses.index, problem.skus.index
    for s, k, t, arrival, cases in store_orders:
        w = a.store_wh[s]
        quantity = cases * int(a.pack[k])
        supplier = w < 0
        cost = quantity * problem.transport_cost_per_unit
        cost += quantity * a.unit_cost[k] if supplier else 0.0
        before = _stock_before(store_stock[s, k], arrival, a.store_open[s, k])
        rows.append(
            {
                "store_id": store_ids[s],
                "warehouse_id": None,
                "sku_id": sku_ids[k],
                "source_warehouse_id": None if supplier else wh_ids[w],
                "order_period": t,
                "arrival_period": arrival,
                "quantity": float(quantity),
                "cases": cases,
                "cost": round(float(cost), 2),
                "reason": line_reason(
                    problem,
                    projected=before + a.store_sched[s, k, arrival] - a.demand[s, k, arrival],
                    safety_stock=a.store_ss[s, k, arrival],
                    arrival=arrival,
                    next_arrival=_next_arrival(store_arrivals[s, k], arrival, n_t),
                    cases=cases,
                    pack=int(a.pack[k]),
                    moq=float(a.moq[k]) if supplier else None,
                    serves="demand",
                ),
            }
        )
    for w, k, t, arrival, cases in wh_orders:
        quantity = cases * int(a.pack[k])
        cost = quantity * (a.unit_cost[k] + problem.transport_cost_per_unit)
        before = _stock_before(wh_stock[w, k], arrival, a.wh_open[w, k])
        rows.append(
            {
                "store_id": None,
                "warehouse_id": wh_ids[w],
                "sku_id": sku_ids[k],
                "source_warehouse_id": None,
                "order_period": t,
                "arrival_period": arrival,
                "quantity": float(quantity),
                "cases": cases,
                "cost": round(float(cost), 2),
                "reason": line_reason(
                    problem,
                    projected=before + a.wh_sched[w, k, arrival] - shipments[w, k, arrival],
                    safety_stock=a.wh_ss[w, k, arrival],
                    arrival=arrival,
                    next_arrival=_next_arrival(wh_arrivals[w, k], arrival, n_t),
                    cases=cases,
                    pack=int(a.pack[k]),
                    moq=float(a.moq[k]),
                    serves="store shipments",
                ),
            }
        )
    lines = pd.DataFrame(
        {
            column: pd.Series([row[column] for row in rows], dtype=object)
            if column.endswith("_id")
            else [row[column] for row in rows]
            for column in LINE_COLUMNS
        },
        columns=LINE_COLUMNS,
    )
    return lines.sort_values(["order_period", "arrival_period"], kind="stable").reset_index(
        drop=True
    )


def _stock_array(variables: dict, shape: tuple[int, ...]) -> np.ndarray:
    out = np.zeros(shape)
    for key, var in variables.items():
        out[key] = _value(var)
    return out


def _stock_before(stock: np.ndarray, period: int, opening: float) -> float:
    return float(opening if period == 0 else stock[period - 1])


def _next_arrival(arrivals: np.ndarray, after: int, n_t: int) -> int:
    later = np.flatnonzero(arrivals[after + 1 :] > 0)
    return int(after + 1 + later[0]) if later.size else n_t


def _projection(problem: OrderPlanProblem, a: _Arrays, m: _Model) -> pd.DataFrame:
    """Projected stock per location × SKU × period under the plan (active cells only)."""
    n_k, n_t = a.demand.shape[1:]
    store_stock = _stock_array(m.store_stock, a.demand.shape)
    lost = _stock_array(m.store_lost, a.demand.shape)
    s_idx, k_idx = np.nonzero(a.active_store)
    periods = np.arange(n_t)
    store_frame = pd.DataFrame(
        {
            "location_kind": "store",
            "location_id": np.repeat(problem.stores.index.to_numpy()[s_idx], n_t),
            "sku_id": np.repeat(problem.skus.index.to_numpy()[k_idx], n_t),
            "period": np.tile(periods, len(s_idx)),
            "demand": a.demand[s_idx, k_idx].ravel(),
            "lost_sales": lost[s_idx, k_idx].ravel(),
            "closing_stock": store_stock[s_idx, k_idx].ravel(),
            "safety_stock": a.store_ss[s_idx, k_idx].ravel(),
        }
    )
    wh_stock = _stock_array(m.warehouse_stock, (len(problem.warehouses), n_k, n_t))
    w_idx, kw_idx = np.nonzero(a.active_wh)
    wh_frame = pd.DataFrame(
        {
            "location_kind": "warehouse",
            "location_id": np.repeat(problem.warehouses.index.to_numpy()[w_idx], n_t),
            "sku_id": np.repeat(problem.skus.index.to_numpy()[kw_idx], n_t),
            "period": np.tile(periods, len(w_idx)),
            "demand": 0.0,
            "lost_sales": 0.0,
            "closing_stock": wh_stock[w_idx, kw_idx].ravel(),
            "safety_stock": a.wh_ss[w_idx, kw_idx].ravel(),
        }
    )
    return pd.concat([store_frame, wh_frame], ignore_index=True)


def _cost_breakdown(
    problem: OrderPlanProblem, a: _Arrays, lines: pd.DataFrame, projection: pd.DataFrame
) -> dict[str, float]:
    """The plan's cost by kind, in currency, as the objective weighs it (penalty aside)."""
    sku_pos = {sku: i for i, sku in enumerate(problem.skus.index)}
    sku_rows = projection["sku_id"].map(sku_pos).to_numpy(int)
    holding = float((projection["closing_stock"].to_numpy() * a.holding[sku_rows]).sum())
    shortage = float((projection["lost_sales"].to_numpy() * a.shortage[sku_rows]).sum())
    supplier = lines["source_warehouse_id"].isna()
    purchase_rows = lines.loc[supplier, "sku_id"].map(sku_pos).to_numpy(int)
    return {
        "holding": round(holding, 2),
        "ordering": round(problem.order_cost * int(supplier.sum()), 2),
        "transport": round(problem.transport_cost_per_unit * float(lines["quantity"].sum()), 2),
        "lost_sales": round(shortage, 2),
        "purchases": round(
            float((lines.loc[supplier, "quantity"].to_numpy() * a.unit_cost[purchase_rows]).sum()),
            2,
        ),
    }
