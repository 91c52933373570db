"""Point the stored beat schedules at the generic ``jobs.start`` task.

Scheduled work used to call a task per app (``forecasting.refresh``, the nightly
``jobs.purge_old_jobs_nightly``); every job now starts through ``jobs.start`` with the kind
and its params in the schedule's kwargs. Rows an admin edited keep their timing and their
enabled state; only the task and kwargs change.
"""

import json

from django.db import migrations

FORECAST_REFRESH = "forecasting.refresh"
PURGE_NIGHTLY = "jobs.purge_old_jobs_nightly"
JOB_START = "jobs.start"


def _kwargs(raw):
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def to_job_start(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for task in PeriodicTask.objects.filter(task=FORECAST_REFRESH):
        old = _kwargs(task.kwargs)
        params = {
            "granularity": old.get("granularity", "D"),
            "reselect": bool(old.get("reselect", False)),
            "company_wide": True,
            "score_live_accuracy": True,
        }
        task.task = JOB_START
        task.kwargs = json.dumps({"kind": "forecast", "params": params})
        task.save(update_fields=["task", "kwargs"])
    PeriodicTask.objects.filter(task=PURGE_NIGHTLY).update(
        task=JOB_START, kwargs=json.dumps({"kind": "purge_old_jobs", "params": {}})
    )


def to_app_tasks(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for task in PeriodicTask.objects.filter(task=JOB_START):
        kwargs = _kwargs(task.kwargs)
        params = kwargs.get("params") or {}
        if kwargs.get("kind") == "forecast":
            task.task = FORECAST_REFRESH
            task.kwargs = json.dumps(
                {
                    "granularity": params.get("granularity", "D"),
                    "reselect": bool(params.get("reselect", False)),
                }
            )
        elif kwargs.get("kind") == "purge_old_jobs":
            task.task, task.kwargs = PURGE_NIGHTLY, "{}"
        else:
            continue
        task.save(update_fields=["task", "kwargs"])


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0003_heartbeat_log"),
        ("forecasting", "0002_default_schedules"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(to_job_start, to_app_tasks)]
