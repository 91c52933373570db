"""Inventory policies per series from the forecast's error distribution over the lead time.

For each series (a store × SKU or a warehouse × SKU) and a service target, stated either as a
cycle service level (the chance of no stock-out in a replenishment cycle) or as a fill rate
(the share of demand served from stock):

1. Lot size: the EOQ √(2·K·d / h) (with all-units quantity discounts when the series carries
   price breaks), at most the demand of the shelf life.
2. Policy type: base stock when every review orders anyway (the lot is at most a review
   period's demand); (r, Q) when the supplier's MOQ or case pack, not economics, sets the lot;
   otherwise (s, S).
3. Demand at risk. Base stock: demand over lead time L + review R. (s, S) and (r, Q): demand
   over L plus the undershoot (how far below the reorder point the position already is when
   the order goes out; large for lumpy demand). Demand over a window is the forecast summed
   over those days, so the season and promotions move it (not a flat average), with variance
   Σ σ_t² over the days + d²·σ_L² (lead-time variability measured from receipts; on a flat
   forecast the textbook L·σ_d² + d²·σ_L²).
4. Its distribution: normal for fast movers, Poisson or negative binomial below
   ``DISCRETE_BELOW_UNITS`` (see :mod:`inventory.engine.distributions`); ``distribution``
   says which.
5. Reorder point: the target quantile of demand at risk (cycle service level), or the point
   where expected units short per cycle, the loss function n(r), is (1 − fill rate) × lot.
6. Ceiling: stock on receipt (about S less the demand at risk) should sell, with the target's
   confidence, within the company's cover limit and within the shelf life; that caps S and
   the lot below the EOQ. The MOQ and whole case packs come last (the supplier's terms win;
   the explanation flags a lot that overshoots the ceiling).
7. The expected cycle service level and fill rate of the final, rounded policy.

``explanation`` holds each step's numbers, so a planner sees the working.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from inventory.engine.distributions import RiskDemand, undershoot_moments
from inventory.engine.textbook import eoq_all_units

TARGET_KINDS = ("csl", "fill_rate")
DAYS_PER_YEAR = 365.0
PERISHABLE_RULE = (
    "Stock that expires before an order placed now would arrive does not count toward the "
    "inventory position."
)
# Start days whose policies are computed in one stacked call (bounds memory).
ROLLING_CHUNK = 8

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
    explain: bool = True,
) -> pd.DataFrame:
    """One policy per row of ``series`` (same index), columns named like ``InventoryPolicy``.

    ``series`` needs the ``REQUIRED_COLUMNS`` (units per day, days, currency per unit, units)
    and may carry ``shelf_life_days`` (NaN: not perishable) and, for quantity discounts,
    ``price_breaks`` / ``break_unit_costs`` (lists, all-units). ``daily_mean`` / ``daily_sd``
    (series × days, aligned on the index) are the forecast paths the protection window is
    summed over; without them the mean daily demand is used flat. ``max_cover_days`` caps the
    order-up-to level so that stock on receipt sells within that many days with the target's
    confidence, as the shelf life does (the company's excess-stock rule). ``explain=False``
    leaves ``explanation`` empty (bulk runs that only need the levels).
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
    h_day = holding_rate_per_year * cost / DAYS_PER_YEAR
    shortage = shortage_cost_share * price
    eoq_raw, unit_cost_used = _eoq(series, d, h_day, order_cost, holding_rate_per_year, cost)
    known_shelf = np.isfinite(shelf)
    shelf_days = np.where(known_shelf, shelf, np.inf)
    # No shelf life caps nothing, even at zero demand (0 × ∞ would be NaN).
    shelf_cap = np.where(known_shelf, d * np.where(known_shelf, shelf, 0.0), np.inf)
    raw_lot = np.minimum(eoq_raw, shelf_cap)
    review_demand = d * review_days
    policy_type = _policy_types(raw_lot, moq, pack, review_demand)
    base = policy_type == "base_stock"

    # Base stock covers lead time + review; (s, S) and (r, Q) cover the lead time plus the
    # undershoot: how far below the reorder point the position is when the order goes out.
    window = np.where(base, lead + review_days, lead)
    mean_w, var_demand_w, rate = _window_demand(d, sd_day, window, daily_mean, daily_sd)
    var_lead_w = rate**2 * lead_sd**2
    day_var = np.where(window > 0, var_demand_w / np.maximum(window, 1e-9), sd_day**2)
    under_mean, under_var = undershoot_moments(rate * review_days, day_var * review_days)
    under_mean = np.where(base, 0.0, under_mean)
    under_var = np.where(base, 0.0, under_var)
    risk = RiskDemand.build(
        lead_mean=mean_w,
        lead_var=var_demand_w + var_lead_w,
        review_mean=np.where(base, 0.0, rate * review_days),
        review_var=np.where(base, 0.0, day_var * review_days),
    )

    # Stock on receipt (about S less the demand at risk) should sell within the company's
    # cover limit and within the shelf life: that caps S, and the lot below the EOQ.
    limit_days = np.minimum(np.inf if max_cover_days is None else max_cover_days, shelf_days)
    after_mean, after_sd = _demand_after(d, sd_day, window, limit_days, daily_mean, daily_sd)
    ceiling = risk.mean + after_mean - stats.norm.ppf(target) * after_sd
    reorder = risk.reorder_points(
        target_kind, target, _cycle(base, review_demand, raw_lot, moq, pack)
    )
    lot = np.minimum(raw_lot, np.maximum(ceiling - reorder, review_demand))
    capped = lot < eoq_raw - 1e-9
    lot = _rounded_lot(lot, moq, pack)
    if target_kind == "fill_rate":
        # Units short per cycle are allowed in proportion to the final lot.
        reorder = risk.reorder_points(
            target_kind, target, _cycle(base, review_demand, lot, moq, pack)
        )
    supplier_exceeds = lot > np.maximum(ceiling - reorder, 0.0) + pack
    order_up_to = np.where(base, reorder, reorder + lot)
    order_quantity = lot
    cycle = np.where(base, np.maximum(review_demand, 1e-9), lot)
    expected_csl, expected_fill = risk.service(reorder, cycle)
    sd_w = np.sqrt(risk.var)
    rows = []
    for i in range(n if explain else 0):
        rows.append(
            {
                "distribution": str(risk.dist[i]),
                "window_days": round(float(window[i]), 3),
                "review_days": review_days,
                "demand_over_window": round(float(mean_w[i]), 3),
                "undershoot_mean": round(float(under_mean[i]), 3),
                "sd_from_demand": round(float(math.sqrt(var_demand_w[i])), 3),
                "sd_from_lead_time": round(float(math.sqrt(var_lead_w[i])), 3),
                "sd_from_undershoot": round(float(math.sqrt(under_var[i])), 3),
                "sd_total": round(float(sd_w[i]), 3),
                "holding_cost_per_unit_day": round(float(h_day[i]), 6),
                "shortage_cost_per_unit": round(float(shortage[i]), 4),
                "order_cost": order_cost,
                "eoq": round(float(eoq_raw[i]), 3),
                "eoq_unit_cost": round(float(unit_cost_used[i]), 4),
                "lot_rounded": float(lot[i]),
                "moq": float(moq[i]),
                "case_pack": float(pack[i]),
                "shelf_life_days": None if not np.isfinite(shelf[i]) else float(shelf[i]),
                "order_up_to_ceiling": None
                if not np.isfinite(ceiling[i])
                else round(float(ceiling[i]), 3),
                "lot_capped_below_eoq": bool(capped[i]),
                "supplier_lot_exceeds_ceiling": bool(supplier_exceeds[i]),
                "policy_reason": _reason(policy_type[i]),
                "perishable_rule": PERISHABLE_RULE if np.isfinite(shelf[i]) else None,
                "target_kind": target_kind,
                "target": target,
            }
        )
    return pd.DataFrame(
        {
            "policy_type": policy_type,
            "target_kind": target_kind,
            "target": target,
            "safety_stock": reorder - risk.mean,
            "reorder_point": reorder,
            "order_up_to": order_up_to,
            "order_quantity": order_quantity,
            "demand_per_day": d,
            "demand_sd_lead_time": sd_w,
            "lead_time_days": lead,
            "lead_time_sd_days": lead_sd,
            "expected_csl": expected_csl,
            "expected_fill_rate": expected_fill,
            "distribution": risk.dist,
            "explanation": rows if explain else [{}] * n,
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
    rows = np.arange(len(mean))
    inside = np.minimum(window, horizon)
    whole = np.floor(inside).astype(int)
    frac = inside - whole
    nxt = np.minimum(whole, horizon - 1)
    beyond = np.maximum(window - horizon, 0.0)
    mean_w = _cumulative(mean)[rows, whole] + frac * mean[rows, nxt]
    var_w = _cumulative(var)[rows, whole] + frac * var[rows, nxt]
    mean_w = mean_w + beyond * mean[:, -7:].mean(axis=1)
    var_w = var_w + beyond * var[:, -7:].mean(axis=1)
    rate_end = np.where(window > 0, mean_w / np.maximum(window, 1e-9), d)
    return mean_w, var_w, rate_end


def _cumulative(values: np.ndarray) -> np.ndarray:
    return np.hstack([np.zeros((len(values), 1)), np.cumsum(values, axis=1)])


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


def _demand_after(
    d: np.ndarray,
    sd_day: np.ndarray,
    start: np.ndarray,
    days: np.ndarray,
    daily_mean: pd.DataFrame | None,
    daily_sd: pd.DataFrame | None,
) -> np.ndarray:
    """Mean and SD of forecast demand over ``days`` days after the first ``start`` days
    (inf: unbounded)."""
    finite = np.isfinite(days)
    span = np.where(finite, days, 0.0)
    until, var_until, _ = _window_demand(d, sd_day, start + span, daily_mean, daily_sd)
    before, var_before, _ = _window_demand(d, sd_day, start, daily_mean, daily_sd)
    sd = np.sqrt(np.maximum(var_until - var_before, 0.0))
    return np.where(finite, until - before, np.inf), np.where(finite, sd, 0.0)


def _policy_types(
    raw_lot: np.ndarray, moq: np.ndarray, pack: np.ndarray, review_demand: np.ndarray
) -> np.ndarray:
    lot = _rounded_lot(raw_lot, moq, pack)
    supplier_sets_lot = np.maximum(moq, pack) >= np.maximum(raw_lot, 1.0)
    return np.where(lot <= review_demand, "base_stock", np.where(supplier_sets_lot, "rQ", "sS"))


def _cycle(
    base: np.ndarray, review_demand: np.ndarray, lot: np.ndarray, moq: np.ndarray, pack: np.ndarray
) -> np.ndarray:
    """Units per replenishment cycle: a review period's demand for base stock, else the lot."""
    return np.where(base, np.maximum(review_demand, 1e-9), _rounded_lot(lot, moq, pack))


def _rounded_lot(lot: np.ndarray, moq: np.ndarray, pack: np.ndarray) -> np.ndarray:
    """At least the MOQ, in whole case packs, at least one pack."""
    lot = np.maximum(np.nan_to_num(lot, posinf=0.0), moq)
    return np.maximum(np.ceil(lot / pack - 1e-9) * pack, pack)


def _reason(policy_type: str) -> str:
    return {
        "base_stock": "Every review orders anyway (the economic lot is at most a review "
        "period's demand): order up to the base-stock level each review.",
        "rQ": "The supplier's minimum order or case pack, not economics, sets the lot: "
        "order a fixed quantity Q whenever stock on hand and on order falls to r.",
        "sS": "The economic order quantity exceeds a review period's demand: order up to S "
        "whenever stock on hand and on order falls to s.",
    }[policy_type]


def policies_rolling(
    series: pd.DataFrame,
    *,
    daily_mean: pd.DataFrame,
    daily_sd: pd.DataFrame,
    days: int,
    every_days: int = 7,
    **settings,
) -> dict[str, np.ndarray]:
    """The policy as it is re-set every ``every_days`` days over the next ``days`` days from
    the same forecast: the levels set on day t cover the forecast from day t on, so safety
    stock and reorder point follow the season (a weekly planning run).

    Returns (days × series) arrays ``reorder_point``,
    ``order_up_to``, ``order_quantity`` and ``expected_csl``, and ``policy_type`` (series,)
    as set on day 0 (the lot size uses the mean demand of the whole horizon, so the type
    does not flip from day to day)."""
    n = len(series)
    window = series["lead_time_days"].to_numpy(float) + settings.get("review_days", 1)
    cover = settings.get("max_cover_days") or 0
    width = int(np.ceil(np.nanmax(window, initial=1.0) + cover)) + 1
    mean = _extended(daily_mean.to_numpy(float), days + width)
    var = _extended(daily_sd.to_numpy(float) ** 2, days + width)
    starts = list(range(0, days, max(every_days, 1)))
    columns = ("reorder_point", "order_up_to", "order_quantity", "expected_csl")
    columns += ("expected_fill_rate",)
    levels = {name: np.empty((len(starts), n)) for name in columns}
    types = None
    for first in range(0, len(starts), ROLLING_CHUNK):
        chunk = starts[first : first + ROLLING_CHUNK]
        result = policies_compute(
            pd.concat([series] * len(chunk), ignore_index=True),
            daily_mean=pd.DataFrame(np.vstack([mean[:, t : t + width] for t in chunk])),
            daily_sd=pd.DataFrame(np.sqrt(np.vstack([var[:, t : t + width] for t in chunk]))),
            explain=False,
            **settings,
        )
        if types is None:
            types = result["policy_type"].to_numpy()[:n]
        for name in columns:
            levels[name][first : first + len(chunk)] = result[name].to_numpy(float).reshape(-1, n)
    day_to_set = np.minimum(np.arange(days) // max(every_days, 1), len(starts) - 1)
    return {"policy_type": types, **{name: grid[day_to_set] for name, grid in levels.items()}}


def _extended(values: np.ndarray, width: int) -> np.ndarray:
    """Pad a series × days matrix to ``width`` days with its last week's average."""
    if values.shape[1] >= width:
        return values
    tail = values[:, -7:].mean(axis=1, keepdims=True)
    return np.hstack([values, np.repeat(tail, width - values.shape[1], axis=1)])
