"""Solving the order plan: exactly, or decomposed when big; reading the plan back in words.

``order_plan_solve(problem)`` is the entry point; the model itself is in
``order_plan_model.py``, the inputs in ``order_plan_problem.py``, the rounding used by the
decomposition in ``order_plan_rounding.py`` and the wording in ``order_plan_explain.py``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pulp

from inventory.engine.order_plan_explain import (
    BindingSlack,
    binding_explanation,
    line_reason,
)
from inventory.engine.order_plan_model import PlanModel, build_model, variable_value
from inventory.engine.order_plan_problem import (
    OrderPlanProblem,
    PlanArrays,
    order_plan_problem_check,
    plan_arrays,
)
from inventory.engine.order_plan_rounding import round_supplier_orders, rounded_start

SOLVERS = ("highs", "cbc")


_SLACK_TOLERANCE = 0.5


@dataclass(frozen=True, eq=False)
class OrderPlanSolution:
    """The plan: order lines with a reason each, the solve's facts, and projected stock.

    ``method``: ``"milp"`` (solved as it stands) or ``"lp-round-repair"`` (decomposed);
    ``mip_gap``: the relative gap reached (against the LP bound when decomposed);
    ``cost_breakdown``: holding, ordering, transport, lost sales and purchases, in currency.
    Transfers from a warehouse cost their transport only; supplier orders purchase plus
    transport (only purchases count against the budget).
    """

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
    time_limit_s: float | None = None


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
    a = plan_arrays(problem)
    model = build_model(problem, a, diagnose=False)
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
        time_limit_s=time_limit_s,
    )


def _remaining(deadline: float) -> float:
    return max(deadline - time.perf_counter(), 1.0)


def _finite_gap(gap: float | None) -> float | None:
    return None if gap is None or not math.isfinite(gap) else max(float(gap), 0.0)


def _solve_exact(model: PlanModel, solver: str, deadline: float, mip_gap: float) -> _Solved:
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
    a: PlanArrays,
    model: PlanModel,
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
    round_supplier_orders(problem, a, model)
    start = rounded_start(problem, a, model)
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


def _diagnose(
    problem: OrderPlanProblem, a: PlanArrays, solver: str, deadline: float, *, exact: bool
) -> tuple[list[BindingSlack], float]:
    """The elastic program: which constraints must stretch, and by how much, to serve demand.

    On problems too big to solve exactly in the time left, its LP relaxation answers: the
    amounts are then the least the constraints must stretch (case packs aside).
    """
    diagnosis = build_model(problem, a, diagnose=True)
    if not exact:
        for var in diagnosis.lp.variables():
            var.cat = pulp.LpContinuous
    stats = diagnosis.lp.solve(_solver(solver, time_limit_s=_remaining(deadline), mip_gap=1e-4))
    if not stats.has_solution:
        return [], 0.0
    lost = sum(variable_value(v) for v in diagnosis.store_lost.values())
    return _binding_slacks(problem, a, diagnosis), lost


def _constrained(a: PlanArrays) -> bool:
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
        time_limit_s=time_limit_s,
    )


def _binding_slacks(problem: OrderPlanProblem, a: PlanArrays, m: PlanModel) -> list[BindingSlack]:
    slacks: list[BindingSlack] = []
    for t, var in m.budget_slack.items():
        amount = variable_value(var)
        if amount > _SLACK_TOLERANCE:
            slacks.append(BindingSlack("budget", None, None, t, amount, float(a.budget[t])))
    for (kind, loc, t), var in m.capacity_slack.items():
        amount = variable_value(var)
        if amount > _SLACK_TOLERANCE:
            _, limit = m.capacity_use[(kind, loc, t)]
            slacks.append(BindingSlack(f"{kind}_capacity", loc, None, t, amount, limit))
    for (prefix, loc, k, t), var in m.moq_slack.items():
        amount = variable_value(var)
        if amount > _SLACK_TOLERANCE:
            kind = "store_moq" if prefix == "s" else "warehouse_moq"
            slacks.append(BindingSlack(kind, loc, k, t, amount, float(a.moq[k])))
    return slacks


def _quantity(var) -> int:
    return round(variable_value(var))


def _lines(problem: OrderPlanProblem, a: PlanArrays, m: PlanModel) -> pd.DataFrame:
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
        out[key] = variable_value(var)
    return out


def _stock_before(stock: np.ndarray, period: int, opening: float) -> float:
    return float(opening if period == 0 else stock[period - 1])


def _next_arrival(arrivals: np.ndarray, after: int, n_t: int) -> int:
    later = np.flatnonzero(arrivals[after + 1 :] > 0)
    return int(after + 1 + later[0]) if later.size else n_t


def _projection(problem: OrderPlanProblem, a: PlanArrays, m: PlanModel) -> pd.DataFrame:
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
    problem: OrderPlanProblem, a: PlanArrays, lines: pd.DataFrame, projection: pd.DataFrame
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
