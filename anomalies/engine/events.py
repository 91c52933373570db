"""Alerting: what detectors found, as events an operator can act on.

Detectors return ``Event`` objects (one per run of consecutive anomalous periods of one
series, order or store); ``severity_of`` weighs size and business impact; the wording
helpers write the plain-words summary. Kinds and metrics are the values of
``anomalies.models.AlertKind`` / ``Metric`` (as strings: the engine has no Django).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

LOW, MEDIUM, HIGH, CRITICAL = 1, 2, 3, 4
SHELF_EMPTY_RISK = 0.9


@dataclass
class Event:
    kind: str
    metric: str
    start: pd.Timestamp
    end: pd.Timestamp
    detected_on: pd.Timestamp
    score: float
    store_id: int | None = None
    sku_id: int | None = None
    supplier: str = ""
    expected: float | None = None
    actual: float | None = None
    expected_low: float | None = None
    expected_high: float | None = None
    units_at_stake: float = 0.0
    value_at_stake: float = 0.0
    stockout_risk: float | None = None
    weekly_units: float = 0.0  # the series' normal weekly sales, to weigh the impact
    detectors: list[dict] = field(default_factory=list)
    summary: str = ""
    suggested_cause: str = ""
    what_to_check: str = ""
    severity: int = LOW

    def fired(self, name: str, score: float, **detail) -> None:
        """Record a detector that fired, with its score and its own details."""
        detail = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in detail.items()}
        self.detectors.append({"name": name, "score": round(float(score), 3), "detail": detail})

    @property
    def fingerprint(self) -> str:
        place = self.store_id if self.store_id is not None else "-"
        sku = self.sku_id if self.sku_id is not None else "-"
        supplier = f":{self.supplier}" if self.supplier else ""
        return f"{self.kind}:{place}:{sku}{supplier}:{self.start.date().isoformat()}"

    def overlaps(self, other: Event, slack_days: int = 0) -> bool:
        slack = pd.Timedelta(days=slack_days)
        return self.start - slack <= other.end and other.start - slack <= self.end


BASE_SEVERITY = {
    "demand_spike": LOW,
    "demand_drop": MEDIUM,
    "entry_error": MEDIUM,
    "phantom_inventory": HIGH,
    "late_delivery": MEDIUM,
    "stock_movement": MEDIUM,
    "lead_time_drift": MEDIUM,
    "feed_stopped": HIGH,
    "feed_thin": MEDIUM,
    "peer_outlier": LOW,
}


def severity_of(event: Event) -> int:
    """Base level of the kind, raised by business impact, lowered when the impact is small.

    Impact is measured against the series' normal week: units at stake of a week or more
    raise one level, of under a day's sales lower one (a real but small deviation stays out
    of a busy inbox); a likely stock-out (≥ 50 %) raises one level.
    """
    level = BASE_SEVERITY.get(event.kind, MEDIUM)
    week = max(event.weekly_units, 1e-9)
    if event.kind == "demand_spike":
        # A spike matters when it empties the shelf (the issue's "a spike that will empty a
        # shelf"); one the stock absorbs is counted but kept out of the inbox by default.
        if event.stockout_risk is not None and event.stockout_risk >= SHELF_EMPTY_RISK:
            level = HIGH if event.units_at_stake >= week else MEDIUM
        else:
            level = LOW
        return level
    if event.kind == "peer_outlier":
        return LOW  # weak evidence alone: shown beside demand alerts, counted, not pushed
    if event.kind in ("demand_drop", "late_delivery"):
        if event.units_at_stake >= week:
            level += 1
        elif event.units_at_stake < week / 7:
            level -= 1
    if event.stockout_risk is not None and event.stockout_risk >= 0.5:
        level += 1
    return max(LOW, min(CRITICAL, level))


def units(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "?"
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.1f}"


def period_text(event: Event) -> str:
    if event.start == event.end:
        return event.start.strftime("%a %d %b %Y")
    days = (event.end - event.start).days + 1
    return f"{event.start:%d %b} – {event.end:%d %b %Y} ({days} days)"
