"""The default forecast schedule, editable by admins (Django admin › Periodic tasks).

Daily at 02:30: score yesterday's forecasts against the new actuals and refit the selected
models. Monthly on the 1st at 03:00: re-run the full model selection (backtest all candidates).
"""

import json

from django.db import migrations

SCHEDULES = (
    ("Forecast: daily refresh", {"minute": "30", "hour": "2"}, {"granularity": "D", "reselect": False}),
    (
        "Forecast: monthly re-selection",
        {"minute": "0", "hour": "3", "day_of_month": "1"},
        {"granularity": "D", "reselect": True},
    ),
    (
        "Forecast: weekly medium-term refresh",
        {"minute": "0", "hour": "4", "day_of_week": "1"},
        {"granularity": "W", "reselect": False},
    ),
)


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, cron, kwargs in SCHEDULES:
        fields = {"minute": "*", "hour": "*", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"}
        fields.update(cron)
        schedule, _ = CrontabSchedule.objects.get_or_create(**fields, timezone="UTC")
        PeriodicTask.objects.get_or_create(
            name=name,
            defaults={
                "task": "forecasting.refresh",
                "crontab": schedule,
                "kwargs": json.dumps(kwargs),
            },
        )


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, _, _ in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("forecasting", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
