"""Inventory optimisation: safety stock, reorder points, order plans and their simulation."""

from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = "Inventory optimisation"

    def ready(self) -> None:
        from inventory import jobs  # noqa: F401  (registers the inventory_plan job kind)
