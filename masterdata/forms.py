"""Admin forms for master data. Codes are not editable: imports and URLs key on them."""

from django import forms

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


class StoreForm(forms.ModelForm):
    class Meta:
        model = Store
        fields = STORE_FIELDS
        widgets = {"opened_on": DATE}


class SKUForm(forms.ModelForm):
    class Meta:
        model = SKU
        fields = SKU_FIELDS
        widgets = {"launched_on": DATE, "discontinued_on": DATE}
