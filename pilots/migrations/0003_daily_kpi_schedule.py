"""The daily pilot KPI schedule, editable by admins (Django admin › Periodic tasks).

Daily at 05:30, after the forecast refresh and the 05:00 anomaly scan whose alerts the
confirmed-alerts KPI counts: a ``pilot_kpis`` job computes the KPIs of every running pilot
and finishes the pilots whose period is over.
"""

import json

from django.db import migrations

NAME = "Pilots: daily KPIs"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
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
            "kwargs": json.dumps({"kind": "pilot_kpis", "params": {}}),
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("pilots", "0002_one_active_pilot_per_store"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
