"""Monte-Carlo verification of the product's policies against a static min/max baseline.

Loads the policy inputs in bulk, sets the product's policies day by day from the forecast
(:func:`inventory.engine.policies.policies_rolling`), builds the baseline from recent sales
(:func:`inventory.engine.simulation.baseline_min_max`) and simulates both on the same
demand and lead-time paths. The ``simulate_inventory`` command and the benchmark call this.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from accounts.scoping import Scope
from history.models import AnomalyLabel
from inventory.engine.policies import policies_rolling
from inventory.engine.simulation import (
    CostRates,
    SimulatedPolicy,
    baseline_min_max,
    simulate,
    world_build,
)
from inventory.inputs import policy_inputs_load
from inventory.models import InventorySettings, TargetKind
from masterdata.models import Company

# The seed's pilot criteria: what the product should achieve against the current practice.
SEED_TARGETS = {"excess_stock": -0.10, "cycle_service_level": 0.05, "total_cost": -0.05}
HEADLINE = ("cycle_service_level", "fill_rate", "average_stock", "excess_stock", "total_cost")
BASELINE_COVER_DAYS = 14.0


@dataclass(frozen=True)
class VerificationResult:
    as_of: date
    days: int
    paths: int
    series: int
    target_kind: str
    target: float
    expected_csl: float
    expected_fill_rate: float
    currency: str
    excess_cover_days: int
    product: dict[str, dict[str, float]]
    baseline: dict[str, dict[str, float]]

    def relative_changes(self) -> dict[str, float]:
        """Product versus baseline: relative for stock and cost, points for service."""
        out = {}
        for name in HEADLINE:
            new, old = self.product[name]["mean"], self.baseline[name]["mean"]
            if name in ("cycle_service_level", "fill_rate"):
                out[name] = new - old
            else:
                out[name] = (new - old) / old if old else float("nan")
        return out


def verification_run(
    *,
    scope: Scope,
    target_kind: str | None = None,
    target: float | None = None,
    paths: int = 1000,
    days: int = 56,
    seed: int = 0,
) -> VerificationResult:
    """Simulate the product's policies and the min/max baseline over ``days`` days."""
    settings = InventorySettings.current()
    kind = target_kind or settings.target_kind
    level = target if target is not None else settings.target
    inputs = policy_inputs_load(scope=scope, horizon_days=days)
    series = inputs.series
    rolling = policies_rolling(
        series,
        daily_mean=inputs.forecast_mean,
        daily_sd=inputs.forecast_sd,
        days=days,
        every_days=settings.review_days,
        target_kind=kind,
        target=level,
        review_days=settings.review_days,
        holding_rate_per_year=settings.holding_rate_per_year,
        order_cost=settings.order_cost,
        shortage_cost_share=settings.shortage_cost_share,
        max_cover_days=settings.excess_cover_days,
    )
    product = SimulatedPolicy(
        kind=rolling["policy_type"],
        reorder_point=rolling["reorder_point"],
        order_up_to=rolling["order_up_to"],
        order_quantity=rolling["order_quantity"],
        skips_expiring=True,
    )
    baseline = baseline_min_max(
        series["history_mean_per_day"].to_numpy(float),
        series["lead_time_days"].to_numpy(float),
        cover_days=BASELINE_COVER_DAYS,
    )
    world = world_build(
        demand_mean=inputs.forecast_mean.to_numpy(float),
        demand_sd=inputs.forecast_sd.to_numpy(float),
        lead_time_samples=inputs.lead_time_samples,
        series=series,
        excess_cover_days=settings.excess_cover_days,
    )
    rates = CostRates(
        holding_rate_per_year=settings.holding_rate_per_year,
        order_cost=settings.order_cost,
        shortage_cost_share=settings.shortage_cost_share,
    )
    results = simulate(
        {"product": product, "baseline": baseline},
        world,
        rates,
        paths=paths,
        review_days=settings.review_days,
        seed=seed,
    )
    return VerificationResult(
        as_of=inputs.as_of,
        days=days,
        paths=paths,
        series=len(series),
        target_kind=TargetKind(kind).value,
        target=level,
        expected_csl=float(np.mean(rolling["expected_csl"])),
        expected_fill_rate=float(np.mean(rolling["expected_fill_rate"])),
        currency=Company.current().currency,
        excess_cover_days=settings.excess_cover_days,
        product=results["product"].summary(),
        baseline=results["baseline"].summary(),
    )


def demo_company_loaded() -> bool:
    """Whether ``load_demo`` filled this database (it records its injected anomalies)."""
    return AnomalyLabel.objects.filter(source="demo").exists()
