"""What each point of service costs in stock: a category's policies computed again at a
ladder of service targets (``policies_compute`` on the category's series, the same engine the
plan uses), summed at unit cost.

Each point of service is priced in safety stock (at cost): what a higher reorder point
adds. Average stock (safety stock plus half a replenishment cycle) is shown beside it; it
moves less, because the engine caps the order-up-to level at the excess-cover days, so a
higher reorder point also shortens the cycle.
"""

from __future__ import annotations

import hashlib
import itertools

import numpy as np
from django.core.cache import cache

from accounts.scoping import Scope, category_subtree_ids
from forecasting.models import ForecastRun, Granularity
from inventory.engine.policies import policies_compute
from inventory.inputs import PolicyInputsError, policy_inputs_load
from inventory.models import InventorySettings, TargetKind
from masterdata.models import Category

TARGETS = (0.80, 0.85, 0.90, 0.93, 0.95, 0.97, 0.98, 0.99, 0.995)


def category_scope(scope: Scope, category: Category) -> Scope:
    """``scope`` narrowed to ``category``'s subtree (never widened beyond ``scope``)."""
    subtree = frozenset(category_subtree_ids({category.pk}))
    if scope.category_ids is not None:
        subtree = subtree & scope.category_ids
    return Scope(region_ids=scope.region_ids, category_ids=subtree, label="category")


CACHE_SECONDS = 6 * 3600


def service_tradeoff(*, scope: Scope, category: Category) -> dict:
    """The curve's points for ``category`` within ``scope``, or a ``message`` saying why
    there are none (no forecast, no series).

    Computing it means loading the category's forecasts and solving its policies nine times
    (about half a second for a demo category), so the curve is kept per daily forecast run,
    inventory settings, scope and category: any of them changing makes a new key.
    """
    settings = InventorySettings.current()
    key = _cache_key(scope, category, settings)
    cached = cache.get(key)
    if cached is None:
        cached = _tradeoff(scope=scope, category=category, settings=settings)
        cache.set(key, cached, CACHE_SECONDS)
    return cached


def _cache_key(scope: Scope, category: Category, settings: InventorySettings) -> str:
    run = (
        ForecastRun.objects.filter(granularity=Granularity.DAILY, chunks_done__gt=0)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    settings_values = (
        settings.target_kind,
        settings.target,
        settings.review_days,
        settings.holding_rate_per_year,
        settings.order_cost,
        settings.shortage_cost_share,
        settings.excess_cover_days,
        settings.horizon_days,
    )
    parts = [
        run,
        hashlib.sha256(repr(settings_values).encode()).hexdigest()[:16],
        ",".join(map(str, sorted(scope.region_ids))) if scope.region_ids is not None else "*",
        ",".join(map(str, sorted(scope.category_ids))) if scope.category_ids is not None else "*",
        category.pk,
    ]
    return "inventory-tradeoff:" + ":".join(str(p) for p in parts)


def _tradeoff(*, scope: Scope, category: Category, settings: InventorySettings) -> dict:
    kind = settings.target_kind
    label = TargetKind(kind).label
    try:
        inputs = policy_inputs_load(
            scope=category_scope(scope, category), horizon_days=settings.horizon_days
        )
    except PolicyInputsError as exc:
        return {"points": [], "message": str(exc), "target_label": label}
    series = inputs.series
    if series.empty:
        return {
            "points": [],
            "message": "No forecast series of this category in your scope yet.",
            "target_label": label,
        }
    cost = series["unit_cost"].to_numpy(float)
    points = []
    for target in TARGETS:
        policies = policies_compute(
            series,
            target_kind=kind,
            target=target,
            review_days=settings.review_days,
            holding_rate_per_year=settings.holding_rate_per_year,
            order_cost=settings.order_cost,
            shortage_cost_share=settings.shortage_cost_share,
            daily_mean=inputs.forecast_mean,
            daily_sd=inputs.forecast_sd,
            max_cover_days=settings.excess_cover_days,
            explain=False,
        )
        safety = policies["safety_stock"].to_numpy(float).clip(min=0.0)
        review_demand = policies["demand_per_day"].to_numpy(float) * settings.review_days
        lot = policies["order_quantity"].fillna(0.0).to_numpy(float)
        cycle = np.where(policies["policy_type"].to_numpy() == "base_stock", review_demand, lot)
        average = safety + cycle / 2.0
        average_value = float((average * cost).sum())
        points.append(
            {
                "target": target,
                "target_percent": round(target * 100, 1),
                "safety_stock_value": float((safety * cost).sum()),
                "average_stock_value": average_value,
                "holding_cost": average_value * settings.holding_rate_per_year,
            }
        )
    for before, point in itertools.pairwise(points):
        step = (point["target"] - before["target"]) * 100
        point["cost_per_point"] = (
            point["safety_stock_value"] - before["safety_stock_value"]
        ) / step
    points[0]["cost_per_point"] = None
    return {"points": points, "series": len(series), "target_label": label}
