"""The Celery application.

With ``REDIS_URL`` set, tasks go to Redis and run on workers (any number of machines).
Without it the embedded default applies: the settings make tasks run in-process.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sop_site.settings.base")

app = Celery("sop_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
