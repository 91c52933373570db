"""Anomaly detection in sales, stock, supply and the data feed, and the operators' alerts."""

from django.apps import AppConfig


class AnomaliesConfig(AppConfig):
    name = "anomalies"
    verbose_name = "Anomalies and alerts"

    def ready(self) -> None:
        from anomalies import (
            jobs,  # noqa: F401 - registers the anomaly_scan job kind
            receivers,  # noqa: F401 - scans after imports
        )
