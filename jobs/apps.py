"""Job runs: progress, resource use and limits of long work."""

from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        from jobs import (
            purge,  # noqa: F401 - registers the purge job kind
            receivers,  # noqa: F401 - connects the Celery signal receivers
        )
