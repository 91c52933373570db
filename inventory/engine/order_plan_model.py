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
from dataclasses import dataclass

import numpy as np
import pulp

from inventory.engine.order_plan_problem import (
    OrderPlanProblem,
    PlanArrays,
    effective_capacity,
    projected_without_orders,
)


@dataclass(frozen=True)
class SupplierLine:
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
class PlanModel:
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
    supplier_lines: list[SupplierLine]
    capacity_use: dict[tuple[str, int, int], tuple[pulp.LpAffineExpression, float]]


def build_model(problem: OrderPlanProblem, a: PlanArrays, *, diagnose: bool) -> PlanModel:
    """The MILP. ``diagnose``: lost sales first, with slack on budget, capacity and MOQ."""
    n_s, n_k, n_t = a.demand.shape
    n_w = len(problem.warehouses)
    lp = pulp.LpProblem("order_plan_diagnosis" if diagnose else "order_plan", pulp.LpMinimize)
    objective: list = []
    m = PlanModel(lp, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, [], {})
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
            SupplierLine(
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

    store_cap, wh_cap = effective_capacity(a, n_t)
    passive_store = np.where(a.active_store, 0.0, 1.0)[:, :, None] * projected_without_orders(
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


def variable_value(var) -> float:
    if isinstance(var, (int, float)):
        return float(var)
    return float(var.value() or 0.0)
