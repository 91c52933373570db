"""A/B pilots of stores: design, assignment, daily KPIs and honest analysis."""

from django.apps import AppConfig


class PilotsConfig(AppConfig):
    name = "pilots"
    verbose_name = "Store pilots"

    def ready(self) -> None:
        from pilots import jobs  # noqa: F401 - registers the daily KPI job kind
