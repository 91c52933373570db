"""A/B pilots of stores: design, assignment, daily KPIs and honest analysis."""

from django.apps import AppConfig


class PilotsConfig(AppConfig):
    name = "pilots"
    verbose_name = "Store pilots"
