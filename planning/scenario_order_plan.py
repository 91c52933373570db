"""Budget and capacity what-ifs through the inventory order plan (the MILP HiGHS solves).

A purchase budget or a storage capacity does not change a policy: it changes which orders
can be placed. So a scenario with a budget or capacity change (with its demand and
lead-time changes too) is solved as the order plan twice, unchanged and changed, and the
consequences are the plan's: what it buys (value at cost, units, order lines), the demand it
loses (lost sales, and the fill rate as the service level's proxy), its cost, and which
constraint binds — the budget in the weeks its purchases reach it, capacity where a
location's stock after arrivals fills it, and the order plan's own explanation when a
constraint makes it lose demand it could otherwise serve.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd

from accounts.scoping import Scope
from inventory.engine.order_plan import OrderPlanProblem, OrderPlanSolution, order_plan_solve
from inventory.order_plan_inputs import PERIOD_DAYS, OrderPlanInputs, order_plan_inputs_load
from masterdata.models import Store, Warehouse
from planning.engine.scenario import (
    BudgetChange,
    CapacityChange,
    Change,
    LeadTimeChange,
    daily_demand_factors,
    lead_time_days,
)

# A constraint binds when the plan uses it to within this share of its limit.
BINDING_SHARE = 0.995
TIME_LIMIT_S = 60.0


def needs_order_plan(changes: list[Change]) -> bool:
    """Budget and capacity changes only show in the order plan."""
    return any(isinstance(c, BudgetChange | CapacityChange) for c in changes)


def series_regions(series: pd.DataFrame) -> list:
    """Each policy series' region: its store's, or its warehouse's."""
    store_region = dict(Store.objects.values_list("pk", "region_id"))
    warehouse_region = dict(Warehouse.objects.values_list("pk", "region_id"))
    return [
        store_region.get(store) if kind == "store" else warehouse_region.get(warehouse)
        for kind, store, warehouse in zip(
            series["location_kind"], series["store_id"], series["warehouse_id"], strict=True
        )
    ]


def order_plan_consequences(*, changes: list[Change], time_limit_s: float = TIME_LIMIT_S) -> dict:
    """The order plan of the baseline and of the scenario, summarised side by side."""
    loaded = order_plan_inputs_load(scope=Scope.system())
    baseline = loaded.problem
    changed = scenario_problem(loaded, changes, series_regions(loaded.inputs.series))
    result = {
        "weeks": baseline.periods,
        "as_of": loaded.as_of.isoformat(),
        "notes": _notes(baseline, changes),
    }
    for label, problem in (("baseline", baseline), ("scenario", changed)):
        solution = order_plan_solve(problem, time_limit_s=time_limit_s)
        result[label] = order_plan_summary(problem, solution)
    return result


def _notes(problem: OrderPlanProblem, changes: list[Change]) -> list[str]:
    """What a change cannot do here, said rather than silently ignored."""
    notes = []
    limits = pd.concat([problem.stores["capacity_units"], problem.warehouses["capacity_units"]])
    if any(isinstance(c, CapacityChange) for c in changes) and not limits.notna().any():
        notes.append(
            "No store or warehouse has a storage capacity set (inventory settings): "
            "the capacity change has no limit to scale."
        )
    return notes


def scenario_problem(
    loaded: OrderPlanInputs, changes: list[Change], regions: list
) -> OrderPlanProblem:
    """The order plan's problem with the scenario's changes: demand scaled week by week as the
    daily forecast is, suppliers' lead times moved, the weekly budget set and every
    location's capacity scaled."""
    problem = loaded.problem
    series = loaded.inputs.series.assign(region_id=regions)
    n_t = problem.periods
    mean = np.nan_to_num(loaded.inputs.forecast_mean.to_numpy(float))
    factors = daily_demand_factors(series, loaded.inputs.forecast_mean.columns, changes)
    before = mean.reshape(len(series), n_t, PERIOD_DAYS).sum(axis=2)
    after = (mean * factors).reshape(len(series), n_t, PERIOD_DAYS).sum(axis=2)
    ratio = np.divide(after, before, out=np.ones_like(after), where=before > 0)
    demand = problem.store_demand.copy()
    store_pos = {sid: i for i, sid in enumerate(problem.stores.index)}
    sku_pos = {kid: i for i, kid in enumerate(problem.skus.index)}
    at_store = (series["location_kind"] == "store").to_numpy() & series["store_id"].isin(
        store_pos
    ).to_numpy()
    rows = np.flatnonzero(at_store)
    s_i = series["store_id"].iloc[rows].map(store_pos).to_numpy(int)
    k_i = series["sku_id"].iloc[rows].map(sku_pos).to_numpy(int)
    demand[s_i, k_i] *= ratio[rows]

    skus = problem.skus.copy()
    if any(isinstance(c, LeadTimeChange) for c in changes):
        skus["lead_time_periods"] = _supplier_lead_periods(series, changes, skus)
    budget = problem.budget_per_period
    stores, warehouses = problem.stores.copy(), problem.warehouses.copy()
    for change in changes:
        if isinstance(change, BudgetChange):
            budget = np.full(n_t, change.per_week)
        elif isinstance(change, CapacityChange):
            for frame in (stores, warehouses):
                frame["capacity_units"] = frame["capacity_units"] * (1 + change.pct / 100)
    return dataclasses.replace(
        problem,
        store_demand=demand,
        skus=skus,
        stores=stores,
        warehouses=warehouses,
        budget_per_period=budget,
    )


def _supplier_lead_periods(series: pd.DataFrame, changes: list[Change], skus: pd.DataFrame):
    """Each SKU's supplier lead time in whole weeks after the lead-time changes, read the way
    the order plan reads it (the median over the warehouses, or the stores without one)."""
    days = lead_time_days(series, series["lead_time_days"], changes)
    supplied = series["location_kind"] == "warehouse"
    source = series[supplied] if supplied.any() else series
    median = days[source.index].groupby(source["sku_id"]).median()
    return [
        math.floor(median[k] / PERIOD_DAYS + 0.5)
        if k in median
        else skus.at[k, "lead_time_periods"]
        for k in skus.index
    ]


def order_plan_summary(problem: OrderPlanProblem, solution: OrderPlanSolution) -> dict:
    """What an order plan buys, loses and costs, and which of its limits bind."""
    lines, projection = solution.lines, solution.projection
    supplier = lines["source_warehouse_id"].isna()
    unit_cost = problem.skus["unit_cost"]
    purchases = lines[supplier]
    purchase_value = purchases["quantity"].to_numpy(float) * unit_cost.reindex(
        purchases["sku_id"]
    ).to_numpy(float)
    by_week = np.zeros(problem.periods)
    np.add.at(by_week, purchases["order_period"].to_numpy(int), purchase_value)
    demand = float(problem.store_demand.sum())
    lost = float(projection["lost_sales"].sum()) if len(projection) else 0.0
    budget = problem.budget_per_period
    budget_weeks = (
        []
        if budget is None
        else [
            t
            for t in range(problem.periods)
            if np.isfinite(budget[t]) and budget[t] > 0 and by_week[t] >= BINDING_SHARE * budget[t]
        ]
    )
    full = _full_locations(problem, lines, projection)
    binding = []
    if budget_weeks:
        binding.append(
            f"Budget: purchases reach it in {len(budget_weeks)} of {problem.periods} weeks "
            f"({', '.join(problem.label(t) for t in budget_weeks)})."
        )
    if full:
        binding.append(f"Capacity: {', '.join(full[:5])} full after arrivals.")
    return {
        "status": solution.status,
        "purchase_value": float(purchase_value.sum()),
        "units_ordered": float(lines["quantity"].sum()),
        "order_lines": len(lines),
        "demand_units": demand,
        "lost_sales_units": lost,
        "fill_rate": 1 - lost / demand if demand > 0 else None,
        "plan_cost": float(sum(solution.cost_breakdown.values())),
        "cost_breakdown": solution.cost_breakdown,
        "budget_per_week": None
        if budget is None or not np.isfinite(budget).any()
        else float(np.nanmax(budget)),
        "budget_binding_weeks": len(budget_weeks),
        "capacity_full": len(full),
        "binding": binding,
        "explanation": solution.explanation,
        "seconds": round(solution.seconds, 2),
    }


def _full_locations(problem: OrderPlanProblem, lines: pd.DataFrame, projection: pd.DataFrame):
    """Locations × weeks whose stock after the week's arrivals reaches their capacity: at a
    store the closing stock plus what it sold, at a warehouse plus what it shipped."""
    if projection.empty:
        return []
    sold = projection["demand"] - projection["lost_sales"]
    fill = projection.assign(fill=projection["closing_stock"] + sold)
    shipped = (
        lines.dropna(subset=["source_warehouse_id"])
        .groupby(["source_warehouse_id", "order_period"])["quantity"]
        .sum()
    )
    full = []
    for kind, frame in (("store", problem.stores), ("warehouse", problem.warehouses)):
        capacity = frame["capacity_units"]
        if not capacity.notna().any():
            continue
        used = fill[fill["location_kind"] == kind].groupby(["location_id", "period"])["fill"].sum()
        for (location, period), units in used.items():
            if kind == "warehouse":
                units += float(shipped.get((location, period), 0.0))
            limit = capacity.get(location)
            if limit is not None and np.isfinite(limit) and units >= BINDING_SHARE * limit:
                full.append(f"{frame.at[location, 'name']} in {problem.label(int(period))}")
    return full
