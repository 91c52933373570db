"""Benchmark: inventory policies and a 1,000-path Monte-Carlo simulation for the demo company
(target: under 30 s together).

By default in a throwaway database on the server of ``DATABASE_URL``: a default demo company
is loaded and forecast daily first (minutes, timed separately, not part of the target). With
``BENCH_INVENTORY_USE_DATABASE=1`` it reads the database of ``DATABASE_URL`` as it is (one
that already holds a demo company and its daily forecast; it writes nothing but the default
inventory settings row if there is none). ``BENCH_PATHS`` (default 1000) and ``BENCH_DAYS``
(default 56) size the simulation. Prints wall and CPU seconds of each step.
"""

from __future__ import annotations

import os
import time
from contextlib import nullcontext

from benchmarks._throwaway import django_setup, throwaway_database

TARGET_SECONDS = 30.0


def _timed(label: str, work):
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"  {label:44s} {wall:7.2f} s wall  {cpu:7.2f} s CPU")
    return result, wall, cpu


def _prepare() -> None:
    from django.core.management import call_command

    from forecasting.selectors import forecast_exists

    if forecast_exists("daily"):
        return
    _timed("load_demo (not part of the target)", lambda: call_command("load_demo", verbosity=0))
    _timed(
        "forecast --granularity daily (not part of the target)",
        lambda: call_command("forecast", granularity="daily", verbosity=0),
    )


def _measure(paths: int, days: int) -> int:
    from accounts.scoping import Scope
    from inventory.engine.policies import policies_compute, policies_rolling
    from inventory.engine.simulation import (
        CostRates,
        SimulatedPolicy,
        baseline_min_max,
        simulate,
        world_build,
    )
    from inventory.inputs import policy_inputs_load
    from inventory.models import InventorySettings

    settings = InventorySettings.current()
    rules = dict(
        target_kind=settings.target_kind,
        target=settings.target,
        review_days=settings.review_days,
        holding_rate_per_year=settings.holding_rate_per_year,
        order_cost=settings.order_cost,
        shortage_cost_share=settings.shortage_cost_share,
        max_cover_days=settings.excess_cover_days,
    )
    inputs, w1, c1 = _timed(
        "policy inputs (bulk load)",
        lambda: policy_inputs_load(scope=Scope.system(), horizon_days=days),
    )
    series = inputs.series
    _, w2, c2 = _timed(
        f"policies, {len(series):,} series (with explanations)",
        lambda: policies_compute(
            series, daily_mean=inputs.forecast_mean, daily_sd=inputs.forecast_sd, **rules
        ),
    )
    rolling, w3, c3 = _timed(
        f"policies re-set each review over {days} days",
        lambda: policies_rolling(
            series,
            daily_mean=inputs.forecast_mean,
            daily_sd=inputs.forecast_sd,
            days=days,
            every_days=settings.review_days,
            **rules,
        ),
    )
    product = SimulatedPolicy(
        kind=rolling["policy_type"],
        reorder_point=rolling["reorder_point"],
        order_up_to=rolling["order_up_to"],
        order_quantity=rolling["order_quantity"],
        skips_expiring=True,
    )
    baseline = baseline_min_max(
        series["history_mean_per_day"].to_numpy(float), series["lead_time_days"].to_numpy(float)
    )
    world = world_build(
        demand_mean=inputs.forecast_mean.to_numpy(float),
        demand_sd=inputs.forecast_sd.to_numpy(float),
        lead_time_samples=inputs.lead_time_samples,
        series=series,
        excess_cover_days=settings.excess_cover_days,
    )
    rates = CostRates(
        settings.holding_rate_per_year, settings.order_cost, settings.shortage_cost_share
    )
    results, w4, c4 = _timed(
        f"simulation: {paths:,} paths × {days} days, 2 policies",
        lambda: simulate(
            {"product": product, "baseline": baseline},
            world,
            rates,
            paths=paths,
            review_days=settings.review_days,
        ),
    )
    wall, cpu = w1 + w2 + w3 + w4, c1 + c2 + c3 + c4
    csl = results["product"].summary()["cycle_service_level"]
    print(
        f"  total {wall:.2f} s wall, {cpu:.2f} s CPU (target {TARGET_SECONDS:.0f} s); "
        f"product cycle service level {100 * csl['mean']:.2f} % "
        f"[{100 * csl['low']:.2f}, {100 * csl['high']:.2f}]"
    )
    return 0 if wall <= TARGET_SECONDS else 1


def main() -> int:
    django_setup()
    paths = int(os.environ.get("BENCH_PATHS", 1000))
    days = int(os.environ.get("BENCH_DAYS", 56))
    use_database = os.environ.get("BENCH_INVENTORY_USE_DATABASE") == "1"
    with nullcontext() if use_database else throwaway_database("inventory_policies"):
        _prepare()
        return _measure(paths, days)


if __name__ == "__main__":
    raise SystemExit(main())
