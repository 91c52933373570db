"""The daily scheduled scan is declared like the forecast schedules and starts a valid job."""

import json

from django_celery_beat.models import PeriodicTask

from anomalies.job_params import AnomalyScanParams
from jobs.registry import job_kind_get


def test_daily_scan_schedule_starts_a_scheduled_anomaly_scan(db):
    task = PeriodicTask.objects.get(name="Anomalies: daily scan")
    assert task.task == "jobs.start"
    assert (task.crontab.hour, task.crontab.minute) == ("5", "0")
    kwargs = json.loads(task.kwargs)
    kind = job_kind_get(kwargs["kind"])
    params = kind.params.from_json(kwargs["params"])
    assert isinstance(params, AnomalyScanParams)
    assert params.mode == "scheduled"
