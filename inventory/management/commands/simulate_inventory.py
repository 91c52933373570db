"""``manage.py simulate_inventory``: Monte-Carlo check of the product's policies against a
static min/max baseline, with confidence intervals, as a table or as JSON."""

from __future__ import annotations

import json
import time

from django.core.management.base import BaseCommand, CommandError

from accounts.scoping import Scope
from inventory.inputs import PolicyInputsError
from inventory.verification import (
    HEADLINE,
    SEED_TARGETS,
    VerificationResult,
    demo_company_loaded,
    verification_run,
)

LABELS = {
    "cycle_service_level": "Cycle service level",
    "fill_rate": "Fill rate",
    "average_stock": "Average stock on hand (units)",
    "excess_stock": "Excess stock (daily average, at cost)",
    "total_cost": "Total cost",
    "stockout_days": "Stock-out days (series × days)",
    "lost_units": "Lost sales (units)",
    "days_of_supply": "Days of supply",
    "turnover": "Turnover (per year)",
    "holding_cost": "Holding cost",
    "ordering_cost": "Ordering cost",
    "shortage_cost": "Shortage cost (lost margin)",
    "spoilage_cost": "Spoilage cost (expired at cost)",
}
SHARES = ("cycle_service_level", "fill_rate")
MONEY = (
    "excess_stock",
    "total_cost",
    "holding_cost",
    "ordering_cost",
    "shortage_cost",
    "spoilage_cost",
)


class Command(BaseCommand):
    help = (
        "Simulate the product's inventory policies and a static min/max baseline over demand "
        "paths from the forecast and lead times from receipts; print service, stock and cost "
        "with 95 % confidence intervals."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dataset",
            choices=["demo", "current"],
            default="current",
            help="demo: the company load_demo put in this database (checked); "
            "current: whatever company this database holds.",
        )
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--target-csl", type=float, help="Cycle service level, e.g. 0.95.")
        target.add_argument("--target-fill-rate", type=float, help="Fill rate, e.g. 0.98.")
        parser.add_argument("--paths", type=int, default=1000, help="Demand paths (default 1000).")
        parser.add_argument("--days", type=int, default=56, help="Days simulated (default 56).")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, **options):
        kind, target = _target(options)
        if options["paths"] < 2 or options["days"] < 1:
            raise CommandError("Use at least 2 paths and 1 day.")
        if options["dataset"] == "demo" and not demo_company_loaded():
            raise CommandError(
                "No demo company in this database: run `manage.py load_demo`, then "
                "`manage.py forecast --granularity daily`."
            )
        started = time.perf_counter()
        try:
            result = verification_run(
                scope=Scope.system(),
                target_kind=kind,
                target=target,
                paths=options["paths"],
                days=options["days"],
                seed=options["seed"],
            )
        except PolicyInputsError as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.perf_counter() - started
        if options["json"]:
            self.stdout.write(json.dumps(_as_json(result, seconds), indent=2))
        else:
            self.stdout.write(_as_table(result, seconds))


def _target(options) -> tuple[str | None, float | None]:
    if options["target_csl"] is not None:
        kind, value = "csl", options["target_csl"]
    elif options["target_fill_rate"] is not None:
        kind, value = "fill_rate", options["target_fill_rate"]
    else:
        return None, None
    if not 0.5 <= value < 1.0:
        raise CommandError(f"A service target is a share in [0.5, 1), e.g. 0.95; got {value}.")
    return kind, value


def _as_json(result: VerificationResult, seconds: float) -> dict:
    changes = result.relative_changes()
    return {
        "product": result.product,
        "baseline": result.baseline,
        "change": {
            name: {
                "value": changes[name],
                "unit": "points" if name in SHARES else "relative",
                "seed_target": SEED_TARGETS.get(name),
            }
            for name in HEADLINE
        },
        "target_kind": result.target_kind,
        "target": result.target,
        "expected_csl": result.expected_csl,
        "expected_fill_rate": result.expected_fill_rate,
        "as_of": result.as_of.isoformat(),
        "days": result.days,
        "paths": result.paths,
        "series": result.series,
        "currency": result.currency,
        "excess_cover_days": result.excess_cover_days,
        "seconds": round(seconds, 2),
    }


def _cell(name: str, stats: dict[str, float], currency: str) -> str:
    mean, low, high = stats["mean"], stats["low"], stats["high"]
    if name in SHARES:
        return f"{100 * mean:.2f} % [{100 * low:.2f}, {100 * high:.2f}]"
    unit = f" {currency}" if name in MONEY else ""
    return f"{mean:,.1f}{unit} [{low:,.1f}, {high:,.1f}]"


def _as_table(result: VerificationResult, seconds: float) -> str:
    kind = "cycle service level" if result.target_kind == "csl" else "fill rate"
    changes = result.relative_changes()
    lines = [
        f"Inventory simulation: {result.series:,} series, {result.days} days from "
        f"{result.as_of}, {result.paths:,} paths, {seconds:.1f} s",
        f"Target: {kind} {100 * result.target:.1f} % — analytic expectation of the product's "
        f"policies: cycle service level {100 * result.expected_csl:.2f} %, fill rate "
        f"{100 * result.expected_fill_rate:.2f} %",
        f"Baseline: static min/max (min = average demand over the lead time, max = min + 14 "
        f"days of average demand). Excess = stock beyond the next {result.excess_cover_days} "
        "days' forecast demand (or the shelf life, if shorter), at cost. 95 % intervals.",
        "",
        f"{'Measure':38s} {'Product':40s} {'Baseline (min/max)':40s} {'Change':>9s}  Seed target",
    ]
    for name in LABELS:
        product = _cell(name, result.product[name], result.currency)
        baseline = _cell(name, result.baseline[name], result.currency)
        change, target = "", ""
        if name in changes:
            value = changes[name]
            change = f"{100 * value:+.1f} pt" if name in SHARES else f"{100 * value:+.1f} %"
        if name in SEED_TARGETS:
            goal = SEED_TARGETS[name]
            unit = "pt" if name in SHARES else "%"
            met = changes[name] >= goal if goal > 0 else changes[name] <= goal
            target = f"{100 * goal:+.0f} {unit} ({'met' if met else 'not met'})"
        lines.append(f"{LABELS[name]:38s} {product:40s} {baseline:40s} {change:>9s}  {target}")
    within = abs(
        result.product["cycle_service_level" if result.target_kind == "csl" else "fill_rate"][
            "mean"
        ]
        - result.target
    )
    lines.append("")
    lines.append(
        f"Achieved {kind} is {100 * within:.2f} points from the target "
        f"({'within' if within <= 0.01 else 'outside'} one point)."
    )
    return "\n".join(lines)
