"""``evaluate_anomalies --dataset demo``: scan the demo company and score the inbox against
the generator's ground truth (``history.AnomalyLabel``).

The detector settings are fixed in advance (``DetectorSettings`` defaults, tuned on the
first two years of the default demo company); the scores reported are those of the last
``REPORT_DAYS`` days of sales, which tuning did not look at: labels that start there, and inbox
alerts that start there. The earlier period's scores are printed beside them for contrast.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from anomalies.engine.evaluation import event_scores
from anomalies.models import Alert, ScanMode
from anomalies.scan_inputs import sales_date_range
from anomalies.services import anomaly_scan_run
from history.models import AnomalyLabel

REPORT_DAYS = 365
TOLERANCE_DAYS = 3


def _alerts_frame() -> pd.DataFrame:
    rows = Alert.objects.in_inbox().values_list(
        "kind", "store_id", "sku_id", "start_date", "end_date", "detectors"
    )
    frame = pd.DataFrame.from_records(
        list(rows), columns=["kind", "store_id", "sku_id", "start", "end", "detectors"]
    )
    frame["detected_on"] = pd.to_datetime(
        [d[0]["detected_on"] if d else None for d in frame["detectors"]]
    )
    for column in ("start", "end"):
        frame[column] = pd.to_datetime(frame[column])
    return frame.drop(columns=["detectors"])


def _labels_frame() -> pd.DataFrame:
    rows = AnomalyLabel.objects.values_list("kind", "store_id", "sku_id", "start_date", "end_date")
    frame = pd.DataFrame.from_records(
        list(rows), columns=["kind", "store_id", "sku_id", "start", "end"]
    )
    for column in ("start", "end"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def demo_evaluate(*, rescan: bool = True, progress=None) -> dict:
    """Scan the whole history (unless ``rescan`` is False) and score both periods."""
    scan = anomaly_scan_run(mode=ScanMode.FULL, progress=progress) if rescan else None
    labels, alerts = _labels_frame(), _alerts_frame()
    if labels.empty:
        raise ValueError("no anomaly labels: load the demo company first (load_demo)")
    last = pd.Timestamp(sales_date_range()[1])
    report_from = last - pd.Timedelta(days=REPORT_DAYS - 1)
    late = labels["start"] >= report_from
    late_alerts = alerts["start"] >= report_from
    return {
        "dataset": "demo",
        "tolerance_days": TOLERANCE_DAYS,
        "report_from": report_from.date().isoformat(),
        "report_to": last.date().isoformat(),
        "scan_seconds": scan.seconds if scan else None,
        "report": event_scores(labels[late], alerts[late_alerts], TOLERANCE_DAYS),
        "tuning": event_scores(labels[~late], alerts[~late_alerts], TOLERANCE_DAYS),
        "generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
