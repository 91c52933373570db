"""Time-series facts: sales, inventory, supply orders, promotions, events, indicators."""

from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "history"
    verbose_name = "History"
