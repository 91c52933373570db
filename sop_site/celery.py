"""The Celery application.

With ``REDIS_URL`` set, tasks go to Redis and run on workers (any number of machines).
Without it the embedded default applies: the settings make tasks run in-process.

Periodic work is listed here; ``celery beat`` with django-celery-beat's database scheduler
copies these entries into the database, where admins can change or pause them. Scheduled
jobs go through ``jobs.start`` (kwargs: the job kind and its params), like any other start;
``jobs.requeue_lost`` requeues the jobs of workers that vanished.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sop_site.settings.base")

app = Celery("sop_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.conf.beat_schedule = {
    "purge-old-jobs-nightly": {
        "task": "jobs.start",
        "schedule": crontab(hour=3, minute=30),
        "kwargs": {"kind": "purge_old_jobs", "params": {}},
    },
    "requeue-jobs-of-lost-workers": {
        "task": "jobs.requeue_lost",
        "schedule": 60.0,
    },
}
