"""The order plan's MILP: budget, capacity, MOQ and case packs hold; infeasibility is named."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from inventory.engine import order_plan
from inventory.engine.order_plan import OrderPlanProblem, order_plan_solve


def _problem(
    *,
    n_stores: int = 2,
    n_skus: int = 2,
    n_warehouses: int = 1,
    periods: int = 4,
    seed: int = 0,
    warehouse_of=lambda s: 0,
    store_capacity: float = np.nan,
    warehouse_capacity: float = np.nan,
    budget: list[float] | None = None,
    demand: np.ndarray | None = None,
    skus: pd.DataFrame | None = None,
    store_opening: np.ndarray | None = None,
    warehouse_opening: np.ndarray | None = None,
) -> OrderPlanProblem:
    rng = np.random.default_rng(seed)
    stores = pd.DataFrame(
        {
            "name": [f"Store {i}" for i in range(n_stores)],
            "warehouse_id": pd.Series([warehouse_of(s) for s in range(n_stores)], dtype=object),
            "lead_time_periods": 0,
            "capacity_units": store_capacity,
        },
        index=[100 + i for i in range(n_stores)],
    )
    warehouses = pd.DataFrame(
        {"name": [f"DC {i}" for i in range(n_warehouses)], "capacity_units": warehouse_capacity},
        index=range(n_warehouses),
    )
    if skus is None:
        cost = rng.uniform(2, 20, n_skus)
        skus = pd.DataFrame(
            {
                "name": [f"Item {i}" for i in range(n_skus)],
                "unit_cost": cost,
                "moq": rng.choice([1, 24, 48], n_skus),
                "case_pack": rng.choice([1, 6, 12], n_skus),
                "lead_time_periods": rng.choice([1, 2], n_skus),
                "holding_cost_per_period": cost * 0.25 / 52,
                "shortage_cost": cost * 1.5,
            },
            index=[500 + i for i in range(n_skus)],
        )
    rate = rng.gamma(1.5, 8, (n_stores, n_skus))
    if demand is None:
        demand = rng.poisson(rate[:, :, None] * np.ones(periods)).astype(float)
    if store_opening is None:
        store_opening = np.round(rate * rng.uniform(0, 2, rate.shape))
    if warehouse_opening is None:
        warehouse_opening = np.round(rng.uniform(0, 2, (n_warehouses, n_skus)) * rate.sum(0))
    return OrderPlanProblem(
        stores=stores,
        warehouses=warehouses,
        skus=skus,
        store_demand=demand,
        store_safety_stock=np.round(rate * 0.8),
        store_opening_stock=store_opening,
        store_scheduled_receipts=np.zeros(demand.shape),
        warehouse_safety_stock=np.zeros((n_warehouses, len(skus))),
        warehouse_opening_stock=warehouse_opening,
        warehouse_scheduled_receipts=np.zeros((n_warehouses, len(skus), demand.shape[2])),
        budget_per_period=None if budget is None else np.array(budget, dtype=float),
    )


def _check_plan_respects_constraints(problem: OrderPlanProblem, solution) -> None:
    """Whole cases, MOQs, budget per period and capacity per location and period."""
    lines = solution.lines
    skus = problem.skus
    assert len(lines) > 0
    pack = lines["sku_id"].map(skus["case_pack"]).to_numpy()
    assert np.allclose(lines["quantity"] % pack, 0)
    assert (lines["cases"] * pack == lines["quantity"]).all()
    supplier = lines["source_warehouse_id"].isna()
    moq = lines.loc[supplier, "sku_id"].map(skus["moq"]).to_numpy()
    assert (lines.loc[supplier, "quantity"].to_numpy() >= moq).all()
    assert (lines["arrival_period"] >= lines["order_period"]).all()
    # stores are supplied by their own warehouse
    transfers = lines[~supplier]
    expected = transfers["store_id"].map(problem.stores["warehouse_id"])
    assert (transfers["source_warehouse_id"] == expected).all()
    if problem.budget_per_period is not None:
        spend = (
            (lines.loc[supplier, "quantity"] * lines.loc[supplier, "sku_id"].map(skus["unit_cost"]))
            .groupby(lines.loc[supplier, "order_period"])
            .sum()
        )
        for period, amount in spend.items():
            assert amount <= problem.budget_per_period[period] + 1e-6
    projection = solution.projection
    stores = projection[projection["location_kind"] == "store"]
    peak = stores["closing_stock"] + stores["demand"] - stores["lost_sales"]
    assert (stores["closing_stock"] >= -1e-6).all()
    assert (stores["lost_sales"] <= stores["demand"] + 1e-6).all()
    capacity = problem.stores["capacity_units"]
    per_store = peak.groupby([stores["location_id"], stores["period"]]).sum()
    for (store_id, _), units in per_store.items():
        if np.isfinite(capacity[store_id]):
            assert units <= capacity[store_id] + 1e-6
    warehouses = projection[projection["location_kind"] == "warehouse"]
    assert (warehouses["closing_stock"] >= -1e-6).all()


def test_small_plan_keeps_budget_capacity_moq_and_case_packs():
    problem = _problem(n_stores=3, n_skus=4, store_capacity=220.0, budget=[900, 900, 900, 900])
    solution = order_plan_solve(problem, time_limit_s=30)
    assert solution.status in {"optimal", "feasible", "infeasible"}
    assert solution.method == "milp"
    assert solution.solver == "highs"
    assert solution.time_limit_s == 30
    assert solution.mip_gap is not None and solution.mip_gap <= 0.01 + 1e-9
    assert solution.objective is not None and solution.objective > 0
    _check_plan_respects_constraints(problem, solution)


def test_moq_and_case_pack_worked_example():
    """One store straight from the supplier: 30 units needed, cases of 12, MOQ 24 → 3 cases."""
    skus = pd.DataFrame(
        {
            "name": ["Olive oil 1 l"],
            "unit_cost": [5.0],
            "moq": [24],
            "case_pack": [12],
            "lead_time_periods": [0],
            "holding_cost_per_period": [0.01],
            "shortage_cost": [20.0],
        },
        index=[7],
    )
    problem = _problem(
        n_stores=1,
        n_skus=1,
        periods=1,
        skus=skus,
        warehouse_of=lambda s: None,
        demand=np.array([[[30.0]]]),
        store_opening=np.zeros((1, 1)),
    )
    problem = OrderPlanProblem(
        **{**problem.__dict__, "store_safety_stock": np.zeros((1, 1)), "order_cost": 5.0}
    )
    solution = order_plan_solve(problem)
    assert solution.status == "optimal"
    line = solution.lines.iloc[0]
    assert line["quantity"] == 36 and line["cases"] == 3
    assert line["cost"] == pytest.approx(36 * 5.0 + 36 * 0.05)
    assert line["source_warehouse_id"] is None
    assert "3 cases of 12 (MOQ 24)" in line["reason"]
    assert "runs 30 units short of demand in week 1" in line["reason"]


def _single_store_problem(*, budget=None, capacity=np.nan) -> OrderPlanProblem:
    skus = pd.DataFrame(
        {
            "name": ["Coffee beans 1 kg"],
            "unit_cost": [10.0],
            "moq": [1],
            "case_pack": [1],
            "lead_time_periods": [0],
            "holding_cost_per_period": [0.05],
            "shortage_cost": [15.0],
        },
        index=[1],
    )
    problem = _problem(
        n_stores=1,
        n_skus=1,
        periods=1,
        skus=skus,
        warehouse_of=lambda s: None,
        demand=np.array([[[100.0]]]),
        store_opening=np.zeros((1, 1)),
        budget=budget,
        store_capacity=capacity,
    )
    return OrderPlanProblem(**{**problem.__dict__, "store_safety_stock": np.zeros((1, 1))})


def test_budget_too_small_is_explained_with_the_shortfall():
    problem = _single_store_problem(budget=[600.0])
    solution = order_plan_solve(problem)
    assert solution.status == "infeasible"
    assert solution.explanation.startswith(
        "Budget of week 1 (€600) is €400 short of the orders needed to keep stores from "
        "running out: raise it to €1,000 or accept lost sales."
    )
    assert "loses 40 units" in solution.explanation
    # the plan itself stays within the budget
    assert solution.lines["quantity"].sum() == 60
    assert solution.cost_breakdown["purchases"] == pytest.approx(600.0)


def test_capacity_too_small_is_explained():
    problem = _single_store_problem(capacity=70.0)
    solution = order_plan_solve(problem)
    assert solution.status == "infeasible"
    assert (
        "Store Store 0 can hold 70 units but needs room for 100 units in week 1 (30 units over)"
        in solution.explanation
    )
    assert solution.lines["quantity"].sum() == 70


def test_enough_budget_is_not_infeasible():
    solution = order_plan_solve(_single_store_problem(budget=[5000.0]))
    assert solution.status == "optimal"
    assert solution.explanation == ""
    assert solution.lines["quantity"].sum() == 100


def test_decomposed_plan_keeps_the_coupling_constraints(monkeypatch):
    """The LP-relaxation, rounding and repair path used on big companies, on a medium one."""
    monkeypatch.setattr(order_plan, "EXACT_INTEGER_LIMIT", 0)
    problem = _problem(
        n_stores=6,
        n_skus=25,
        n_warehouses=2,
        warehouse_of=lambda s: s % 2,
        store_capacity=900.0,
        warehouse_capacity=3000.0,
        budget=[2500, 2500, 2500, 2500],
        seed=3,
    )
    solution = order_plan_solve(problem, time_limit_s=60)
    assert solution.method == "lp-round-repair"
    assert solution.mip_gap is not None and 0 <= solution.mip_gap < 1
    _check_plan_respects_constraints(problem, solution)
    breakdown = solution.cost_breakdown
    assert breakdown["ordering"] == pytest.approx(
        problem.order_cost * solution.lines["source_warehouse_id"].isna().sum()
    )


def test_bad_input_names_the_problem():
    problem = _problem()
    broken = OrderPlanProblem(**{**problem.__dict__, "store_opening_stock": np.zeros((5, 2))})
    with pytest.raises(ValueError, match="store_opening_stock must have shape"):
        order_plan_solve(broken)
    with pytest.raises(ValueError, match="Unknown solver"):
        order_plan_solve(problem, solver="gurobi-please")


def test_moq_beyond_capacity_orders_nothing_and_names_the_capacity():
    """A minimum order of 48 cannot fit a store that holds 30: no order, and why."""
    base = _single_store_problem(capacity=30.0)
    skus = base.skus.assign(moq=[48], case_pack=[12])
    problem = OrderPlanProblem(
        **{**base.__dict__, "skus": skus, "store_demand": np.full((1, 1, 1), 20.0)}
    )
    solution = order_plan_solve(problem)
    assert solution.lines.empty
    assert solution.status == "infeasible"
    assert "can hold 30 units but needs room for 48 units" in solution.explanation
    assert "loses 20 units" in solution.explanation
