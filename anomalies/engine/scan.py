"""``scan_detect``: every detector over the scan's inputs, then alerting.

Alerting merges what several detectors say about the same series and time into one event
(the stronger kind wins and the others' evidence is kept beside it: a demand drop inside a
phantom-stock run is the phantom's symptom, a DBSCAN peer flag on a spike's week is a second
opinion), then rates severity and writes the explanation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from anomalies.engine.demand import demand_events
from anomalies.engine.events import Event, severity_of
from anomalies.engine.expectation import expectation_build
from anomalies.engine.feed import feed_events
from anomalies.engine.learned import peer_outliers
from anomalies.engine.panel import ScanInputs, panel_build
from anomalies.engine.settings import DetectorSettings
from anomalies.engine.supply import (
    late_delivery_events,
    lead_time_drift_events,
    phantom_events,
    stock_movement_events,
)
from anomalies.engine.wording import explain

# Which kind explains another on the same series and dates (higher wins).
PRECEDENCE = {
    "phantom_inventory": 5,
    "entry_error": 4,
    "demand_spike": 3,
    "demand_drop": 3,
    "stock_movement": 2,
    "peer_outlier": 1,
}
FOLD_SLACK_DAYS = 7  # a count up to a week after a phantom run still belongs to it


@dataclass(frozen=True)
class ScanResult:
    events: list[Event]
    series: int
    periods: int  # series × periods scored
    counts: dict[str, int]


def scan_detect(inputs: ScanInputs, settings: DetectorSettings | None = None) -> ScanResult:
    settings = settings or DetectorSettings()
    if inputs.sales.empty:
        return ScanResult([], 0, 0, {})
    panel = panel_build(inputs)
    exp = expectation_build(panel, inputs, settings.baseline_weeks)
    skus = inputs.skus.set_index("sku_id")
    price_of_sku = pd.to_numeric(skus["unit_price"], errors="coerce")
    shelf_price = np.nanmedian(panel.price, axis=0)
    unit_price = price_of_sku.reindex(panel.sku_id).to_numpy(float)
    unit_price = np.where(np.isnan(unit_price), np.nan_to_num(shelf_price), unit_price)

    events = demand_events(panel, exp, settings, unit_price)
    events += phantom_events(panel, exp, settings, unit_price)
    events += stock_movement_events(panel, inputs, settings)
    events += _peer_events(panel, exp, settings, unit_price)
    events = _fold(events)
    events += late_delivery_events(inputs, panel, settings, price_of_sku.fillna(0).to_dict())
    events += lead_time_drift_events(inputs, settings)
    events += feed_events(panel, settings)

    store_names = _names(inputs.stores, "store_id")
    sku_names = _names(inputs.skus, "sku_id")
    counts: dict[str, int] = {}
    for event in events:
        event.severity = severity_of(event)
        explain(event, store_names, sku_names)
        counts[event.kind] = counts.get(event.kind, 0) + 1
        for fired in event.detectors:
            key = f"detector:{fired['name']}"
            counts[key] = counts.get(key, 0) + 1
    rows = panel.sales[panel.score_rows]
    scored = ~np.all(np.isnan(rows), axis=0)
    return ScanResult(
        events=events,
        series=int(scored.sum()),
        periods=int((~np.isnan(rows)).sum()),
        counts=counts,
    )


def _names(frame: pd.DataFrame, key: str) -> dict:
    if frame.empty:
        return {}
    labels = frame["name"].where(frame["name"].astype(bool), frame["code"])
    if "code" in frame and key == "sku_id":
        labels = frame["code"].astype(str) + " " + frame["name"].astype(str)
    return dict(zip(frame[key], labels, strict=True))


def _peer_events(panel, exp, settings, unit_price) -> list[Event]:
    rows, cols, ratios = peer_outliers(panel, exp, settings.peer_min_ratio, settings.peer_eps)
    events = []
    for a, c, r in zip(rows, cols, ratios, strict=True):
        b = min(a + 6, panel.score_rows.stop - 1)
        actual = float(np.nansum(panel.sales[a : b + 1, c]))
        expected = float(exp.expected[a : b + 1, c].sum())
        event = Event(
            kind="peer_outlier",
            metric="sales",
            store_id=int(panel.store_id[c]),
            sku_id=int(panel.sku_id[c]),
            start=panel.dates[a],
            end=panel.dates[b],
            detected_on=panel.dates[b],
            score=float(abs(r)),
            expected=expected,
            actual=actual,
            units_at_stake=abs(actual - expected),
            value_at_stake=abs(actual - expected) * float(unit_price[c]),
            weekly_units=float(7 * np.nanmean(exp.plain[:, c])),
        )
        event.fired("dbscan_peers", abs(r), week_ratio=float(np.exp(r)))
        events.append(event)
    return events


def _fold(events: list[Event]) -> list[Event]:
    """One event per series and time: the higher-precedence kind takes the others' evidence."""
    by_series: dict[tuple, list[Event]] = {}
    for event in events:
        by_series.setdefault((event.store_id, event.sku_id), []).append(event)
    kept: list[Event] = []
    for group in by_series.values():
        group.sort(key=lambda e: (-PRECEDENCE.get(e.kind, 0), e.start))
        winners: list[Event] = []
        for event in group:
            host = next(
                (
                    w
                    for w in winners
                    if PRECEDENCE.get(w.kind, 0) > PRECEDENCE.get(event.kind, 0)
                    and w.overlaps(event, FOLD_SLACK_DAYS if w.kind == "phantom_inventory" else 0)
                ),
                None,
            )
            if host is None:
                winners.append(event)
            else:
                host.detectors.extend(event.detectors)
        kept.extend(winners)
    return kept
