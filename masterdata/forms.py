"""Admin forms for master data. Codes are not editable: imports key on them.

Each form carries the version of the row it was shown with, so a stale save is refused.
"""

from django import forms
from django.core.validators import MinValueValidator

from accounts.versions import VersionedModelForm
from masterdata.models import SKU, Store

STORE_FIELDS = ["name", "region", "store_format", "floor_area_m2", "warehouse", "opened_on"]
SKU_FIELDS = [
    "name",
    "category",
    "unit_cost",
    "unit_price",
    "lead_time_days",
    "min_order_qty",
    "case_pack",
    "shelf_life_days",
    "is_active",
    "launched_on",
    "discontinued_on",
]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StoreForm(VersionedModelForm):
    class Meta:
        model = Store
        fields = STORE_FIELDS
        widgets = {"opened_on": DATE}


class SKUForm(VersionedModelForm):
    """Mirrors the SKU table's check constraints as field errors a person can act on."""

    class Meta:
        model = SKU
        fields = SKU_FIELDS
        widgets = {"launched_on": DATE, "discontinued_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("unit_cost", "unit_price"):
            self.fields[name].validators.append(MinValueValidator(0))
            self.fields[name].widget.attrs["min"] = 0
        for name in ("min_order_qty", "case_pack"):
            self.fields[name].validators.append(MinValueValidator(1))
            self.fields[name].widget.attrs["min"] = 1

    def clean(self):
        cleaned = super().clean()
        launched, discontinued = cleaned.get("launched_on"), cleaned.get("discontinued_on")
        if launched and discontinued and discontinued < launched:
            self.add_error("discontinued_on", "The discontinuation date is before the launch date.")
        return cleaned
