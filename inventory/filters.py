"""The replenishment worklist's filters: location (store or warehouse) and SKU searches,
category, region, status and a window of order dates, all limited to the actor's scope."""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.db.models import Q, QuerySet

from accounts.scoping import Scope
from inventory.models import Recommendation, RecommendationStatus
from masterdata.lists import SEARCH_WIDGET, category_filter, search_filter
from masterdata.models import Store, Warehouse
from masterdata.selectors import category_list, region_list

DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


def _location_search(queryset: QuerySet, name: str, value: str) -> QuerySet:
    """Rows at a store or a warehouse whose code or name contains the text (ids looked up
    first, as ``masterdata.lists.member_filter`` explains)."""
    text = value.strip()
    if not text:
        return queryset
    match = Q(code__icontains=text) | Q(name__icontains=text)
    stores = list(Store.objects.filter(match).values_list("pk", flat=True))
    warehouses = list(Warehouse.objects.filter(match).values_list("pk", flat=True))
    return queryset.filter(
        Q(store_id__in=stores) | Q(store__isnull=True, warehouse_id__in=warehouses)
    )


def _in_region(queryset: QuerySet, name: str, value) -> QuerySet:
    if value is None:
        return queryset
    return queryset.filter(Q(store__region=value) | Q(store__isnull=True, warehouse__region=value))


class RecommendationFilter(filters.FilterSet):
    location = filters.CharFilter(
        label="Store or warehouse", method=_location_search, widget=SEARCH_WIDGET
    )
    sku = search_filter("SKU", prefix="sku__")
    category = category_filter(prefix="sku__")
    region = filters.ModelChoiceFilter(
        label="Region",
        queryset=None,
        to_field_name="code",
        empty_label="All regions",
        method=_in_region,
    )
    status = filters.ChoiceFilter(
        label="Status", choices=RecommendationStatus.choices, empty_label="Any status"
    )
    order_from = filters.DateFilter(
        field_name="order_date", lookup_expr="gte", label="Order from", widget=DATE_WIDGET
    )
    order_to = filters.DateFilter(
        field_name="order_date", lookup_expr="lte", label="Order until", widget=DATE_WIDGET
    )

    class Meta:
        model = Recommendation
        fields = ["location", "sku", "category", "region", "status", "order_from", "order_to"]

    def __init__(self, data, *, scope: Scope, **kwargs):
        super().__init__(data, **kwargs)
        self.filters["category"].queryset = category_list(scope)
        self.filters["region"].queryset = region_list(scope)
