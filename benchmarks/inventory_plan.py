"""Benchmark: the order plan (LP) for the default demo company, HiGHS against CBC.

Target: the plan solves within 60 s. Reads the demo company's daily forecast and builds the
problem in bulk (timed apart), then solves it twice per solver:

* ``unconstrained``: the company's settings as they are (no budget, no capacities);
* ``budget + store capacity``: a weekly budget of half what HiGHS's unconstrained plan
  buys in its busiest week, and every store capped at 90 % of its peak stock in that plan,
  so the coupling constraints bind and the diagnosis runs (HiGHS's reference solve is not
  reported; both solvers then solve the same two problems).

Prints, per run: solver, method, status, seconds, gap reached, objective, order lines, and
the first sentence of the explanation. ``BENCH_PLAN_DATABASE=current`` uses the database of
``DATABASE_URL`` as it is (it must hold a daily forecast); otherwise a kept throwaway
database gets ``load_demo`` and a daily forecast on first use (minutes).
``BENCH_PLAN_SOLVERS`` (default ``highs,cbc``) and ``BENCH_PLAN_TIME_LIMIT`` (default 60).
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import replace

import numpy as np

from benchmarks._throwaway import django_setup, throwaway_database

TARGET_SECONDS = 60.0


def _ensure_demo() -> None:
    from django.core.management import call_command

    from forecasting.models import Forecast

    if not Forecast.objects.filter(granularity="D").exists():
        call_command("load_demo")
        call_command("forecast", granularity="daily")


def _constrained(problem, solution):
    """The same problem with a budget and store capacities the plan has to respect."""
    lines = solution.lines
    supplier = lines["source_warehouse_id"].isna()
    spend = (
        (
            lines.loc[supplier, "quantity"]
            * lines.loc[supplier, "sku_id"].map(problem.skus["unit_cost"])
        )
        .groupby(lines.loc[supplier, "order_period"])
        .sum()
    )
    budget = np.full(problem.periods, 0.5 * float(spend.max()) if len(spend) else 1000.0)
    stores = solution.projection[solution.projection["location_kind"] == "store"]
    peak = (
        (stores["closing_stock"] + stores["demand"] - stores["lost_sales"])
        .groupby([stores["location_id"], stores["period"]])
        .sum()
        .groupby(level=0)
        .max()
    )
    capped = problem.stores.copy()
    capped["capacity_units"] = capped.index.map(0.9 * peak).astype(float)
    return replace(problem, budget_per_period=budget, stores=capped)


def _report(label: str, solution) -> bool:
    gap = "n/a" if solution.mip_gap is None else f"{solution.mip_gap:.2%}"
    objective = "n/a" if solution.objective is None else f"{solution.objective:,.0f}"
    print(
        f"{label:<28} {solution.solver:<6} {solution.method:<16} {solution.status:<10} "
        f"{solution.seconds:7.1f} s  gap {gap:<8} objective {objective:<12} "
        f"lines {len(solution.lines):,}  lost sales "
        f"{solution.projection['lost_sales'].sum() if len(solution.projection) else 0:,.0f} units"
    )
    if solution.explanation:
        print(f"    {solution.explanation.split('. ')[0]}.")
    return solution.seconds <= TARGET_SECONDS


def _run() -> int:
    from accounts.scoping import Scope
    from inventory.engine.order_plan import order_plan_solve
    from inventory.order_plan_inputs import order_plan_inputs_load

    started = time.perf_counter()
    inputs = order_plan_inputs_load(scope=Scope.system())
    problem = inputs.problem
    print(
        f"problem built in {time.perf_counter() - started:.1f} s: {len(problem.stores)} stores, "
        f"{len(problem.warehouses)} warehouses, {len(problem.skus)} SKUs, "
        f"{problem.periods} weekly periods"
    )
    limit = float(os.environ.get("BENCH_PLAN_TIME_LIMIT", TARGET_SECONDS))
    solvers = os.environ.get("BENCH_PLAN_SOLVERS", "highs,cbc").split(",")
    reference = order_plan_solve(problem, solver="highs", time_limit_s=limit)
    scenarios = {"unconstrained": problem, "budget + store capacity": problem}
    if len(reference.lines):
        scenarios["budget + store capacity"] = _constrained(problem, reference)
    ok = True
    for solver in solvers:
        for label, scenario in scenarios.items():
            try:
                solution = order_plan_solve(scenario, solver=solver, time_limit_s=limit)
            except ValueError as error:
                print(f"{solver}: {error}")
                break
            ok &= _report(label, solution) or solver != "highs"
    print(f"target: HiGHS plan within {TARGET_SECONDS:.0f} s — {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


def main() -> int:
    django_setup()
    if os.environ.get("BENCH_PLAN_DATABASE") == "current":
        context = contextlib.nullcontext()
    else:
        context = throwaway_database("inventory_plan", keep=True)
    with context:
        _ensure_demo()
        return _run()


if __name__ == "__main__":
    raise SystemExit(main())
