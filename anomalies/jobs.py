"""Anomalies' job kind, registered when the app is ready."""

from anomalies.job_params import AnomalyScanParams
from anomalies.services import ANOMALY_SCAN_KIND, anomaly_scan_job_work
from jobs.registry import job_kind_register

job_kind_register(name=ANOMALY_SCAN_KIND, params=AnomalyScanParams, work=anomaly_scan_job_work)
