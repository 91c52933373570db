"""Time-series facts: sales, inventory, supply orders, promotions, events, indicators."""

from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "history"
    verbose_name = "History"

    def ready(self) -> None:
        from history import receivers  # noqa: F401  (connects the signal receivers)
