"""Scoring alerts against ground-truth labels, event by event.

A label is found when an alert of the matching kind for the same store and SKU overlaps it
within ``tolerance_days``; an alert is true when it finds some label. Recall is per label
(event), precision per alert: every alert counts, including kinds without ground truth,
so a detector that fires often pays for it. Time to detect is the days from a label's start
to the earliest ``detected_on`` of the alerts that found it (0 when known on the first day).
Point-wise accuracy is never computed: a detector that never fires would score 99 % on it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

LABEL_KINDS = {"entry_error_x10": "entry_error"}


def _f1(precision: float | None, recall: float | None) -> float | None:
    if not precision or not recall:
        return 0.0 if precision is not None and recall is not None else None
    return 2 * precision * recall / (precision + recall)


def event_scores(labels: pd.DataFrame, alerts: pd.DataFrame, tolerance_days: int) -> dict:
    """``labels``: kind, store_id, sku_id, start, end; ``alerts``: kind, store_id, sku_id,
    start, end, detected_on. Returns per-kind and overall recall, precision, F1, MTTD."""
    labels = labels.assign(kind=labels["kind"].replace(LABEL_KINDS)).reset_index(drop=True)
    alerts = alerts.reset_index(drop=True)
    slack = pd.Timedelta(days=tolerance_days)
    found = np.zeros(len(labels), dtype=bool)
    delay = np.full(len(labels), np.nan)
    true_alert = np.zeros(len(alerts), dtype=bool)
    if len(labels) and len(alerts):
        merged = labels.reset_index().merge(
            alerts.reset_index(), on=["kind", "store_id", "sku_id"], suffixes=("_l", "_a")
        )
        hit = (merged["start_a"] - slack <= merged["end_l"]) & (
            merged["start_l"] <= merged["end_a"] + slack
        )
        merged = merged[hit]
        found[merged["index_l"].unique()] = True
        true_alert[merged["index_a"].unique()] = True
        days = (merged["detected_on"] - merged["start_l"]).dt.days.clip(lower=0)
        first = days.groupby(merged["index_l"]).min()
        delay[first.index.to_numpy()] = first.to_numpy()

    def block(label_mask: np.ndarray, alert_mask: np.ndarray) -> dict:
        n_labels, n_alerts = int(label_mask.sum()), int(alert_mask.sum())
        recall = found[label_mask].mean() if n_labels else None
        precision = true_alert[alert_mask].mean() if n_alerts else None
        delays = delay[label_mask & found]
        return {
            "labels": n_labels,
            "found": int(found[label_mask].sum()),
            "recall": None if recall is None else float(recall),
            "alerts": n_alerts,
            "true_alerts": int(true_alert[alert_mask].sum()),
            "precision": None if precision is None else float(precision),
            "f1": _f1(precision, recall),
            "mean_days_to_detect": float(delays.mean()) if len(delays) else None,
        }

    kinds = sorted(set(labels["kind"]) | set(alerts["kind"]))
    per_kind = {
        kind: block((labels["kind"] == kind).to_numpy(), (alerts["kind"] == kind).to_numpy())
        for kind in kinds
    }
    labelled = alerts["kind"].isin(set(labels["kind"])).to_numpy()
    overall = block(np.ones(len(labels), bool), np.ones(len(alerts), bool))
    overall["precision_labelled_kinds"] = block(np.ones(len(labels), bool), labelled)["precision"]
    return {"tolerance_days": tolerance_days, "kinds": per_kind, "overall": overall}
