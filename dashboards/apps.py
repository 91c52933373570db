"""The role home pages and the data overview, read from summary tables kept up to date."""

from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "Dashboards"

    def ready(self) -> None:
        from dashboards import receivers  # noqa: F401  (connects the refresh receivers)
