"""Master data: regions, warehouses, stores, the category tree and SKUs."""

from django.apps import AppConfig


class MasterdataConfig(AppConfig):
    name = "masterdata"
    verbose_name = "Master data"
