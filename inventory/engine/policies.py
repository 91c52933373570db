"""Inventory policies per series from the forecast's error distribution over lead time + review.

For each series (a store × SKU or a warehouse × SKU) and a service target, stated either as a
cycle service level (the chance of no stock-out in a replenishment cycle) or as a fill rate
(the share of demand served from stock):

1. Protection window W = mean lead time L + review period R (days). Demand over W is the
   forecast summed over the next W days (so the season and promotions move it, it is not a
   flat average) with variance Σ σ_t² over those days + d²·σ_L² (lead-time variability
   measured from receipts; for a flat forecast this is the textbook (L + R)·σ_d² + d²·σ_L²).
2. The distribution of that demand: normal for fast movers, Poisson or negative binomial
   below ``DISCRETE_BELOW_UNITS`` (see :mod:`inventory.engine.distributions`).
3. Lot size: the EOQ √(2·K·d / h) (with all-units quantity discounts when the series carries
   price breaks), capped by shelf life and by the company's cover limit, then raised to the
   MOQ and rounded up to whole case packs.
4. Policy type: base stock when every review orders anyway (the lot is at most a review
   period's demand); (r, Q) when the supplier's MOQ or case pack, not economics, sets the lot;
   otherwise (s, S) with S = s + Q.
5. Reorder point: the target quantile of window demand (cycle service level), or the point
   where expected units short per cycle, the loss function n(r), equal (1 − fill rate) × lot.
6. Perishables: the order-up-to level is capped at the demand expected within the shelf life.
7. The expected cycle service level and fill rate of the final, rounded policy.

``explanation`` holds each step's numbers, so a planner sees the working.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from inventory.engine.distributions import (
    discrete_cdf_and_loss,
    discrete_pmf,
    distribution_names,
    grid_size,
    normal_loss,
    standard_normal_loss_inverse,
)
from inventory.engine.textbook import eoq_all_units

TARGET_KINDS = ("csl", "fill_rate")
DAYS_PER_YEAR = 365.0

REQUIRED_COLUMNS = (
    "demand_per_day",
    "demand_sd_per_day",
    "lead_time_days",
    "lead_time_sd_days",
    "unit_cost",
    "unit_price",
    "moq",
    "case_pack",
)


class PolicyInputError(ValueError):
    """A parameter or a column the policy engine cannot work with."""


def policies_compute(
    series: pd.DataFrame,
    *,
    target_kind: str,
    target: float,
    review_days: int,
    holding_rate_per_year: float,
    order_cost: float,
    shortage_cost_share: float,
    daily_mean: pd.DataFrame | None = None,
    daily_sd: pd.DataFrame | None = None,
    max_cover_days: float | None = None,
) -> pd.DataFrame:
    """One policy per row of ``series`` (same index), columns named like ``InventoryPolicy``.

    ``series`` needs the ``REQUIRED_COLUMNS`` (units per day, days, currency per unit, units)
    and may carry ``shelf_life_days`` (NaN: not perishable) and, for quantity discounts,
    ``price_breaks`` / ``break_unit_costs`` (lists, all-units). ``daily_mean`` / ``daily_sd``
    (series × days, aligned on the index) are the forecast paths the protection window is
    summed over; without them the mean daily demand is used flat. ``max_cover_days`` caps the
    lot at that many days of demand (the company's excess-stock rule).
    """
    _check(
        series,
        target_kind,
        target,
        review_days,
        holding_rate_per_year,
        order_cost,
        shortage_cost_share,
    )
    n = len(series)
    d = series["demand_per_day"].to_numpy(float).clip(min=0.0)
    sd_day = series["demand_sd_per_day"].to_numpy(float).clip(min=0.0)
    lead = series["lead_time_days"].to_numpy(float).clip(min=0.0)
    lead_sd = series["lead_time_sd_days"].fillna(0.0).to_numpy(float).clip(min=0.0)
    cost = series["unit_cost"].to_numpy(float)
    price = series["unit_price"].to_numpy(float)
    moq = series["moq"].to_numpy(float).clip(min=1.0)
    pack = series["case_pack"].to_numpy(float).clip(min=1.0)
    shelf = (
        series["shelf_life_days"].to_numpy(float)
        if "shelf_life_days" in series
        else np.full(n, np.nan)
    )
    window = lead + review_days

    mean_w, var_demand_w, rate_end = _window_demand(d, sd_day, window, daily_mean, daily_sd)
    var_lead_w = rate_end**2 * lead_sd**2
    var_w = var_demand_w + var_lead_w
    sd_w = np.sqrt(var_w)
    dist = distribution_names(mean_w, var_w)

    h_day = holding_rate_per_year * cost / DAYS_PER_YEAR
    shortage = shortage_cost_share * price
    eoq_raw, unit_cost_used = _eoq(series, d, h_day, order_cost, holding_rate_per_year, cost)
    lot = eoq_raw.copy()
    cover_cap = np.full(n, np.inf) if max_cover_days is None else max_cover_days * d
    shelf_cap = np.where(np.isfinite(shelf), d * shelf, np.inf)
    lot = np.minimum(lot, np.minimum(cover_cap, shelf_cap))
    lot_before_rounding = lot.copy()
    lot = np.maximum(lot, moq)
    lot = np.ceil(lot / pack - 1e-9) * pack
    lot = np.maximum(lot, pack)

    review_demand = d * review_days
    supplier_sets_lot = np.maximum(moq, pack) >= np.maximum(lot_before_rounding, 1.0)
    policy_type = np.where(
        lot <= review_demand,
        "base_stock",
        np.where(supplier_sets_lot, "rQ", "sS"),
    )
    base = policy_type == "base_stock"
    lot_for_service = np.where(base, np.maximum(review_demand, 1e-9), lot)

    reorder = _reorder_point(target_kind, target, mean_w, var_w, sd_w, dist, lot_for_service)
    order_up_to = np.where(base, reorder, reorder + lot)
    perishable_cap = _shelf_life_cap(d, shelf, daily_mean)
    shelf_binds = order_up_to > perishable_cap
    order_up_to = np.where(
        shelf_binds, np.maximum(perishable_cap, reorder + np.where(base, 0.0, pack)), order_up_to
    )
    order_up_to = np.ceil(order_up_to - 1e-9)
    order_quantity = np.where(policy_type == "sS", order_up_to - reorder, lot)
    order_quantity = np.where(
        policy_type == "rQ",
        np.maximum(
            np.floor(np.minimum(lot, order_up_to - reorder) / pack) * pack, np.maximum(moq, pack)
        ),
        order_quantity,
    )
    order_up_to = np.where(policy_type == "rQ", reorder + order_quantity, order_up_to)
    cycle_units = np.where(base, lot_for_service, np.maximum(order_up_to - reorder, 1e-9))
    expected_csl, expected_fill = _service(reorder, mean_w, var_w, sd_w, dist, cycle_units)

    rows = []
    for i in range(n):
        rows.append(
            {
                "distribution": str(dist[i]),
                "window_days": round(float(window[i]), 3),
                "review_days": review_days,
                "demand_over_window": round(float(mean_w[i]), 3),
                "sd_from_demand": round(float(math.sqrt(var_demand_w[i])), 3),
                "sd_from_lead_time": round(float(math.sqrt(var_lead_w[i])), 3),
                "sd_over_window": round(float(sd_w[i]), 3),
                "holding_cost_per_unit_day": round(float(h_day[i]), 6),
                "shortage_cost_per_unit": round(float(shortage[i]), 4),
                "order_cost": order_cost,
                "eoq": round(float(eoq_raw[i]), 3),
                "eoq_unit_cost": round(float(unit_cost_used[i]), 4),
                "lot_after_caps": round(float(lot_before_rounding[i]), 3),
                "lot_rounded": float(lot[i]),
                "moq": float(moq[i]),
                "case_pack": float(pack[i]),
                "shelf_life_days": None if not np.isfinite(shelf[i]) else float(shelf[i]),
                "shelf_life_caps_order_up_to": bool(shelf_binds[i]),
                "policy_reason": _reason(policy_type[i]),
                "target_kind": target_kind,
                "target": target,
            }
        )
    return pd.DataFrame(
        {
            "policy_type": policy_type,
            "target_kind": target_kind,
            "target": target,
            "safety_stock": reorder - mean_w,
            "reorder_point": reorder,
            "order_up_to": order_up_to,
            "order_quantity": order_quantity,
            "demand_per_day": d,
            "demand_sd_lead_time": sd_w,
            "lead_time_days": lead,
            "lead_time_sd_days": lead_sd,
            "expected_csl": expected_csl,
            "expected_fill_rate": expected_fill,
            "distribution": dist,
            "explanation": rows,
        },
        index=series.index,
    )


def _check(series, target_kind, target, review_days, holding_rate, order_cost, shortage_share):
    if target_kind not in TARGET_KINDS:
        raise PolicyInputError(f"Target kind must be one of {TARGET_KINDS}, not {target_kind!r}.")
    if not 0.5 <= target < 1.0:
        raise PolicyInputError(f"The service target must be in [0.5, 1), not {target}.")
    if review_days < 1:
        raise PolicyInputError("Orders are reviewed at least every day (review_days ≥ 1).")
    if holding_rate <= 0 or order_cost < 0 or shortage_share <= 0:
        raise PolicyInputError(
            "The holding rate and shortage cost share must be positive, the order cost ≥ 0."
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in series.columns]
    if missing:
        raise PolicyInputError(f"Series lack the columns: {', '.join(missing)}.")


def _window_demand(
    d: np.ndarray,
    sd_day: np.ndarray,
    window: np.ndarray,
    daily_mean: pd.DataFrame | None,
    daily_sd: pd.DataFrame | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and variance of demand over ``window`` days, and the daily rate at its end.

    With forecast paths, whole days are summed and the last fractional day is prorated; a
    window beyond the path's end continues at the path's last week's average.
    """
    if daily_mean is None:
        return d * window, window * sd_day**2, d
    mean = daily_mean.to_numpy(float).clip(min=0.0)
    var = (daily_sd.to_numpy(float) if daily_sd is not None else np.sqrt(mean)) ** 2
    horizon = mean.shape[1]
    longest = int(np.ceil(window.max())) if len(window) else 0
    if longest > horizon:
        tail_mean = mean[:, -7:].mean(axis=1, keepdims=True)
        tail_var = var[:, -7:].mean(axis=1, keepdims=True)
        mean = np.hstack([mean, np.repeat(tail_mean, longest - horizon, axis=1)])
        var = np.hstack([var, np.repeat(tail_var, longest - horizon, axis=1)])
    cum_mean = np.hstack([np.zeros((len(mean), 1)), np.cumsum(mean, axis=1)])
    cum_var = np.hstack([np.zeros((len(var), 1)), np.cumsum(var, axis=1)])
    whole = np.floor(window).astype(int)
    frac = window - whole
    rows = np.arange(len(mean))
    nxt = np.minimum(whole, mean.shape[1] - 1)
    mean_w = cum_mean[rows, whole] + frac * mean[rows, nxt]
    var_w = cum_var[rows, whole] + frac * var[rows, nxt]
    rate_end = np.where(window > 0, mean_w / np.maximum(window, 1e-9), d)
    return mean_w, var_w, rate_end


def _eoq(
    series: pd.DataFrame,
    d: np.ndarray,
    h_day: np.ndarray,
    order_cost: float,
    holding_rate: float,
    cost: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """EOQ per series (units) and the unit cost it buys at (quantity discounts, all-units)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        eoq = np.sqrt(2.0 * order_cost * d / h_day)
    eoq = np.where(np.isfinite(eoq), eoq, 0.0)
    unit_cost = cost.copy()
    if "price_breaks" in series.columns and "break_unit_costs" in series.columns:
        for i, (breaks, costs) in enumerate(
            zip(series["price_breaks"], series["break_unit_costs"], strict=True)
        ):
            if isinstance(breaks, list | tuple) and len(breaks) and d[i] > 0:
                q, c, _ = eoq_all_units(
                    order_cost, holding_rate / DAYS_PER_YEAR, d[i], list(breaks), list(costs)
                )
                eoq[i], unit_cost[i] = q, c
    return eoq, unit_cost


def _reorder_point(
    target_kind: str,
    target: float,
    mean_w: np.ndarray,
    var_w: np.ndarray,
    sd_w: np.ndarray,
    dist: np.ndarray,
    cycle_units: np.ndarray,
) -> np.ndarray:
    """Whole units: the target quantile (CSL) or the fill-rate loss-function point."""
    reorder = np.zeros(len(mean_w))
    normal = dist == "normal"
    if normal.any():
        if target_kind == "csl":
            z = np.full(normal.sum(), stats.norm.ppf(target))
        else:
            allowed = (1.0 - target) * cycle_units[normal] / np.maximum(sd_w[normal], 1e-9)
            z = standard_normal_loss_inverse(allowed)
        reorder[normal] = np.ceil(mean_w[normal] + z * sd_w[normal] - 1e-9)
    discrete = ~normal
    if discrete.any():
        m, v = mean_w[discrete], var_w[discrete]
        pmf = discrete_pmf(m, v, grid_size(m, v))
        cdf, loss = discrete_cdf_and_loss(pmf, m)
        if target_kind == "csl":
            meets = cdf >= target - 1e-12
        else:
            meets = loss <= ((1.0 - target) * cycle_units[discrete])[:, None] + 1e-12
        reorder[discrete] = np.argmax(meets, axis=1)
    return np.maximum(reorder, 0.0)


def _shelf_life_cap(
    d: np.ndarray, shelf: np.ndarray, daily_mean: pd.DataFrame | None
) -> np.ndarray:
    """Most stock that sells within the shelf life: the forecast over that many days."""
    cap = np.full(len(d), np.inf)
    perishable = np.isfinite(shelf)
    if not perishable.any():
        return cap
    if daily_mean is None:
        cap[perishable] = d[perishable] * shelf[perishable]
        return cap
    mean, _, _ = _window_demand(d, np.zeros(len(d)), np.nan_to_num(shelf), daily_mean, None)
    cap[perishable] = mean[perishable]
    return cap


def _service(
    reorder: np.ndarray,
    mean_w: np.ndarray,
    var_w: np.ndarray,
    sd_w: np.ndarray,
    dist: np.ndarray,
    cycle_units: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Cycle service level F(r) and fill rate 1 − n(r) / units per cycle."""
    csl = np.zeros(len(reorder))
    short = np.zeros(len(reorder))
    normal = dist == "normal"
    if normal.any():
        csl[normal] = stats.norm.cdf(
            (reorder[normal] - mean_w[normal]) / np.maximum(sd_w[normal], 1e-9)
        )
        short[normal] = normal_loss(reorder[normal], mean_w[normal], sd_w[normal])
    discrete = ~normal
    if discrete.any():
        m, v = mean_w[discrete], var_w[discrete]
        size = max(grid_size(m, v), int(reorder[discrete].max()) + 2)
        cdf, loss = discrete_cdf_and_loss(discrete_pmf(m, v, size), m)
        idx = reorder[discrete].astype(int)
        rows = np.arange(len(idx))
        csl[discrete] = cdf[rows, idx]
        short[discrete] = loss[rows, idx]
    fill = np.clip(1.0 - short / np.maximum(cycle_units, 1e-9), 0.0, 1.0)
    return csl, fill


def _reason(policy_type: str) -> str:
    return {
        "base_stock": "Every review orders anyway (the economic lot is at most a review "
        "period's demand): order up to the base-stock level each review.",
        "rQ": "The supplier's minimum order or case pack, not economics, sets the lot: "
        "order a fixed quantity Q whenever stock on hand and on order falls to r.",
        "sS": "The economic order quantity exceeds a review period's demand: order up to S "
        "whenever stock on hand and on order falls to s.",
    }[policy_type]
