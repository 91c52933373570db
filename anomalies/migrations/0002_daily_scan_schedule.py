"""The default anomaly scan schedule, editable by admins (Django admin › Periodic tasks).

Daily at 05:00, after the nightly imports and the forecast refresh: an ``anomaly_scan`` job
in ``scheduled`` mode scores the periods after the last scan (imports also start their own
incremental scans; the schedule catches whatever they did not).
"""

import json

from django.db import migrations

NAME = "Anomalies: daily scan"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="5",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="UTC",
    )
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": "jobs.start",
            "crontab": schedule,
            "kwargs": json.dumps({"kind": "anomaly_scan", "params": {"mode": "scheduled"}}),
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("anomalies", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
