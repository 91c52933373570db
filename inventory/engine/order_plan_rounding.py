"""Rounding the relaxed plan to whole cases and MOQs, and a complete plan to start from.

Used when the MILP is too big to solve as it stands: the LP relaxation decides how much,
these functions decide how many whole cases, within the budget and room the relaxation left.
"""

from __future__ import annotations

import math

import numpy as np
import pulp

from inventory.engine.order_plan_model import PlanModel, SupplierLine, variable_value
from inventory.engine.order_plan_problem import OrderPlanProblem, PlanArrays


def round_supplier_orders(problem: OrderPlanProblem, a: PlanArrays, model: PlanModel) -> None:
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
    decided: list[tuple[SupplierLine, int]] = []
    wanted: list[tuple[float, SupplierLine, int, int]] = []
    for line in model.supplier_lines:
        relaxed_cases = max(variable_value(line.cases), 0.0)
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


def rounded_start(problem: OrderPlanProblem, a: PlanArrays, model: PlanModel):
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
            transfers[(s, k, t)] = math.floor(max(variable_value(var), 0.0) + 1e-6)
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
