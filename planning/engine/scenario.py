"""What-if scenarios: the changes a meeting can try, and the demand they lead to.

A scenario is a list of changes, stored as plain JSON and parsed here into typed values that
refuse anything out of range, so a scenario row is valid by construction. The demand side is
applied here (pure pandas); the inventory consequences are computed from that demand by the
inventory engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

MAX_DEMAND_CHANGE_PCT = 500.0


class ScenarioInvalid(ValueError):
    """A change that cannot be applied; the message names the change and the field."""


@dataclass(frozen=True)
class Selection:
    """Which lines a change applies to: empty sets mean every category, region or SKU."""

    category_ids: frozenset[int] = frozenset()
    region_ids: frozenset[int] = frozenset()
    sku_ids: frozenset[int] = frozenset()
    first_week: date | None = None
    last_week: date | None = None

    def mask(self, lines: pd.DataFrame) -> np.ndarray:
        keep = np.ones(len(lines), dtype=bool)
        for column, ids in (
            ("category_id", self.category_ids),
            ("region_id", self.region_ids),
            ("sku_id", self.sku_ids),
        ):
            if ids:
                keep &= lines[column].isin(ids).to_numpy()
        if self.first_week is None and self.last_week is None:
            return keep  # no week bounds: the lines need no week (lead times, per series)
        weeks = pd.to_datetime(lines["week"])
        if self.first_week is not None:
            keep &= (weeks >= pd.Timestamp(self.first_week)).to_numpy()
        if self.last_week is not None:
            keep &= (weeks <= pd.Timestamp(self.last_week)).to_numpy()
        return keep


@dataclass(frozen=True)
class DemandChange:
    """Demand up or down by ``pct`` per cent for the selection (a promotion is one)."""

    pct: float
    selection: Selection
    label: str = "demand"


@dataclass(frozen=True)
class LeadTimeChange:
    """Suppliers' lead time longer (or shorter) by ``days`` for the selection's SKUs."""

    days: int
    selection: Selection


@dataclass(frozen=True)
class BudgetChange:
    """The weekly purchase budget set to ``per_week`` (in the company's currency)."""

    per_week: float


@dataclass(frozen=True)
class CapacityChange:
    """Storage capacity of every location changed by ``pct`` per cent."""

    pct: float


Change = DemandChange | LeadTimeChange | BudgetChange | CapacityChange


def changes_parse(raw: list[dict[str, Any]]) -> list[Change]:
    """Typed changes from a scenario's JSON; raises ``ScenarioInvalid`` naming the change."""
    if not isinstance(raw, list) or not raw:
        raise ScenarioInvalid("A scenario needs at least one change.")
    if len(raw) > 50:
        raise ScenarioInvalid("A scenario holds at most 50 changes.")
    return [_change(number, item) for number, item in enumerate(raw, start=1)]


def _change(number: int, item: dict[str, Any]) -> Change:
    if not isinstance(item, dict):
        raise ScenarioInvalid(f"Change {number} is not a set of fields.")
    kind = item.get("type")
    try:
        if kind in ("demand", "promotion"):
            pct = _number(item, "pct", -100.0, MAX_DEMAND_CHANGE_PCT)
            return DemandChange(pct=pct, selection=_selection(item), label=kind)
        if kind == "lead_time":
            days = int(_number(item, "days", -60, 180))
            return LeadTimeChange(days=days, selection=_selection(item))
        if kind == "budget":
            return BudgetChange(per_week=_number(item, "per_week", 0.0, 1e12))
        if kind == "capacity":
            return CapacityChange(pct=_number(item, "pct", -100.0, 1000.0))
    except ScenarioInvalid as exc:
        raise ScenarioInvalid(f"Change {number} ({kind}): {exc}") from None
    raise ScenarioInvalid(
        f"Change {number} has an unknown type {kind!r}: use demand, promotion, lead_time, "
        "budget or capacity."
    )


def _number(item: dict[str, Any], name: str, low: float, high: float) -> float:
    value = item.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
        raise ScenarioInvalid(f"{name} must be a number.")
    if not low <= value <= high:
        raise ScenarioInvalid(f"{name} must be between {low:g} and {high:g} (got {value:g}).")
    return float(value)


def _selection(item: dict[str, Any]) -> Selection:
    def ids(name: str) -> frozenset[int]:
        values = item.get(name) or []
        if not isinstance(values, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in values
        ):
            raise ScenarioInvalid(f"{name} must be a list of ids.")
        return frozenset(values)

    def day(name: str) -> date | None:
        value = item.get(name)
        if value in (None, ""):
            return None
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise ScenarioInvalid(f"{name} must be a date as YYYY-MM-DD (got {value!r}).") from None

    selection = Selection(
        category_ids=ids("category_ids"),
        region_ids=ids("region_ids"),
        sku_ids=ids("sku_ids"),
        first_week=day("first_week"),
        last_week=day("last_week"),
    )
    if selection.first_week and selection.last_week and selection.first_week > selection.last_week:
        raise ScenarioInvalid("first_week is after last_week.")
    return selection


def scenario_demand(lines: pd.DataFrame, changes: list[Change]) -> pd.DataFrame:
    """The plan's lines (``store_id``, ``sku_id``, ``region_id``, ``category_id``, ``week``,
    ``quantity``) with every demand change applied in turn, in units."""
    result = lines.copy()
    quantity = result["quantity"].to_numpy(float).copy()
    for change in changes:
        if isinstance(change, DemandChange):
            hit = change.selection.mask(result)
            quantity[hit] *= 1 + change.pct / 100
    result["quantity"] = quantity
    return result


def lead_time_days(lines: pd.DataFrame, base_days: pd.Series, changes: list[Change]) -> pd.Series:
    """Each line's lead time in days after the lead-time changes (at least one day)."""
    days = base_days.to_numpy(float).copy()
    for change in changes:
        if isinstance(change, LeadTimeChange):
            days[change.selection.mask(lines)] += change.days
    return pd.Series(np.maximum(days, 1.0), index=base_days.index)


def daily_demand_factors(
    keys: pd.DataFrame, dates: pd.DatetimeIndex, changes: list[Change]
) -> np.ndarray:
    """(series × days) multipliers of the daily forecast for the demand changes.

    ``keys`` has one row per series with ``category_id``, ``region_id`` and ``sku_id``; a
    change's weeks (given by their last days) cover the seven days up to each week's end.
    """
    factors = np.ones((len(keys), len(dates)))
    for change in changes:
        if not isinstance(change, DemandChange):
            continue
        rows = change.selection.mask(keys.assign(week=dates[0]))
        days = np.ones(len(dates), dtype=bool)
        if change.selection.first_week is not None:
            days &= dates >= pd.Timestamp(change.selection.first_week) - pd.Timedelta(days=6)
        if change.selection.last_week is not None:
            days &= dates <= pd.Timestamp(change.selection.last_week)
        factors[np.ix_(rows, days)] *= 1 + change.pct / 100
    return factors


def inventory_consequences(
    series: pd.DataFrame,
    policies: pd.DataFrame,
    daily_mean: np.ndarray,
    *,
    holding_rate_per_year: float,
    order_cost: float,
    review_days: int,
) -> dict[str, float]:
    """What a set of policies means over the forecast's days, in units and currency.

    Average stock is the safety stock plus half a lot (the quantity an order brings: ``Q``
    for (r, Q), ``S − s`` for (s, S), a review period's demand for base stock); orders over
    the days are the demand over the lot.
    """
    days = daily_mean.shape[1]
    demand = daily_mean.sum(axis=1)
    cost = series["unit_cost"].to_numpy(float)
    price = series["unit_price"].to_numpy(float)
    per_day = policies["demand_per_day"].to_numpy(float)
    safety = policies["safety_stock"].to_numpy(float).clip(min=0)
    lot = policies["order_quantity"].to_numpy(float)
    spread = (policies["order_up_to"] - policies["reorder_point"]).to_numpy(float)
    lot = np.where(np.isfinite(lot), lot, spread)
    lot = np.where(np.isfinite(lot) & (lot > 0), lot, np.maximum(per_day * review_days, 1.0))
    average_stock = safety + lot / 2
    orders = demand / lot
    service = policies["expected_csl"].to_numpy(float)
    weights = demand if demand.sum() > 0 else np.ones(len(demand))
    ok = np.isfinite(service)
    holding = float((average_stock * cost).sum() * holding_rate_per_year * days / 365)
    ordering = float(orders.sum() * order_cost)
    return {
        "days": days,
        "demand_units": float(demand.sum()),
        "demand_value": float((demand * price).sum()),
        "safety_stock_units": float(safety.sum()),
        "safety_stock_value": float((safety * cost).sum()),
        "average_stock_value": float((average_stock * cost).sum()),
        "orders": float(orders.sum()),
        "holding_cost": holding,
        "ordering_cost": ordering,
        "total_cost": holding + ordering,
        "expected_service_level": float(np.average(service[ok], weights=weights[ok]))
        if ok.any()
        else None,
    }
