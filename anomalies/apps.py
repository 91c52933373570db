"""Anomaly detection in sales, stock, supply and the data feed, and the operators' alerts."""

from django.apps import AppConfig


class AnomaliesConfig(AppConfig):
    name = "anomalies"
    verbose_name = "Anomalies and alerts"
