"""The inbox's filters: store, SKU (code or name), category, region, kind, severity,
status, owner and the event's dates, over the actor's scoped alerts (menus list only what is
in scope)."""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.db.models import Q, QuerySet

from accounts.scoping import Scope
from anomalies.models import Alert, AlertKind, AlertStatus, Severity
from masterdata.lists import category_filter, search_filter
from masterdata.selectors import category_list, region_list

OPEN = "open"
STATUS_CHOICES = [(OPEN, "Open (new or acknowledged)"), *AlertStatus.choices]
MINE = "__me__"
UNOWNED = "__none__"
DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


def _in_region(queryset: QuerySet, name: str, value) -> QuerySet:
    if value is None:
        return queryset
    return queryset.filter(Q(store__region=value) | Q(store__isnull=True, warehouse__region=value))


class AlertFilter(filters.FilterSet):
    store = search_filter("Store", prefix="store__")
    sku = search_filter("SKU", prefix="sku__")
    category = category_filter(prefix="sku__")
    region = filters.ModelChoiceFilter(
        label="Region",
        queryset=None,
        to_field_name="code",
        empty_label="All regions",
        method=_in_region,
    )
    kind = filters.ChoiceFilter(label="Kind", choices=AlertKind.choices, empty_label="All kinds")
    severity = filters.ChoiceFilter(
        label="Severity at least",
        choices=[(str(value), label) for value, label in Severity.choices],
        empty_label="Any severity",
        method=lambda queryset, name, value: (
            queryset.filter(severity__gte=int(value)) if value else queryset
        ),
    )
    status = filters.ChoiceFilter(
        label="Status", choices=STATUS_CHOICES, empty_label="Any status", method="filter_status"
    )
    owner = filters.ChoiceFilter(
        label="Owner", choices=(), empty_label="Anyone", method="filter_owner"
    )
    date_from = filters.DateFilter(
        label="From", field_name="end_date", lookup_expr="gte", widget=DATE_WIDGET
    )
    date_to = filters.DateFilter(
        label="To", field_name="start_date", lookup_expr="lte", widget=DATE_WIDGET
    )

    class Meta:
        model = Alert
        fields = [
            "store",
            "sku",
            "category",
            "region",
            "kind",
            "severity",
            "status",
            "owner",
            "date_from",
            "date_to",
        ]

    def __init__(self, data, *, scope: Scope, user, users, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        self.filters["category"].queryset = category_list(scope)
        self.filters["region"].queryset = region_list(scope)
        self.filters["owner"].extra["choices"] = [
            (MINE, "Me"),
            (UNOWNED, "Nobody"),
            *[(u.username, u.username) for u in users],
        ]

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == OPEN:
            return queryset.open()
        return queryset.filter(status=value) if value else queryset

    def filter_owner(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == MINE:
            return queryset.filter(owner=self.user)
        if value == UNOWNED:
            return queryset.filter(owner__isnull=True)
        return queryset.filter(owner__username=value) if value else queryset
