"""The company's inventory rules (service target, costs, horizon, budget), per-category
service targets and storage capacities, edited in Django admin by staff; the audit log
records every change (``settings.AUDITED_MODELS``)."""

from django.contrib import admin

from inventory.models import CategoryServiceTarget, InventorySettings, StorageCapacity


@admin.register(InventorySettings)
class InventorySettingsAdmin(admin.ModelAdmin):
    list_display = (
        "target_kind",
        "target",
        "holding_rate_per_year",
        "order_cost",
        "review_days",
        "horizon_days",
        "budget_per_week",
    )

    def has_add_permission(self, request) -> bool:
        return not InventorySettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CategoryServiceTarget)
class CategoryServiceTargetAdmin(admin.ModelAdmin):
    list_display = ("category", "target_kind", "target")
    list_select_related = ("category",)
    search_fields = ("category__code", "category__name")


@admin.register(StorageCapacity)
class StorageCapacityAdmin(admin.ModelAdmin):
    list_display = ("__str__", "store", "warehouse", "capacity_units")
    list_select_related = ("store", "warehouse")
    search_fields = ("store__code", "store__name", "warehouse__code", "warehouse__name")
