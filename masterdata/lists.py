"""The store and SKU list pages: their filters, tables and download columns.

Filters are django-filter ``FilterSet``s built on the actor's scoped querysets (their member
choices too, so no other region's name shows up in a menu); tables are django-tables2
tables that sort and paginate. The download columns read the same records as the table.
"""

from __future__ import annotations

import django_filters as filters
import django_tables2 as tables
from django import forms
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.html import format_html

from accounts.scoping import Scope
from exports.list_pages import ListExport
from exports.tables import Column
from masterdata.models import SKU, Store
from masterdata.selectors import category_list, region_list, store_formats
from masterdata.templatetags.units import money_text

SEARCH_WIDGET = forms.TextInput(attrs={"type": "search", "placeholder": "Code or name"})


def member_filter(queryset: QuerySet, prefix: str, condition: Q) -> QuerySet:
    """``queryset`` limited to rows whose member (``prefix``, e.g. ``sku__``; none for the
    members themselves) meets ``condition``.

    A related member's ids are looked up first and the rows filtered by that short list:
    joining a large table (forecasts) to a text search lets PostgreSQL misjudge the join
    and scan the members once per row.
    """
    if not prefix:
        return queryset.filter(condition)
    field = prefix.removesuffix("__")
    member = queryset.model._meta.get_field(field).related_model
    ids = list(member.objects.filter(condition).values_list("pk", flat=True))
    return queryset.filter(**{f"{field}_id__in": ids})


def search_filter(label: str, *, prefix: str = "") -> filters.CharFilter:
    """A box that finds rows whose code or name (of ``prefix``, e.g. ``store__``) contains
    the text typed, ignoring case."""

    def search(queryset: QuerySet, name: str, value: str) -> QuerySet:
        text = value.strip()
        if not text:
            return queryset
        return member_filter(queryset, prefix, Q(code__icontains=text) | Q(name__icontains=text))

    return filters.CharFilter(label=label, method=search, widget=SEARCH_WIDGET)


def category_filter(*, prefix: str = "") -> filters.ModelChoiceFilter:
    """A category menu; choosing a parent category keeps the SKUs of its sub-categories."""

    def within(queryset: QuerySet, name: str, value) -> QuerySet:
        if value is None:
            return queryset
        return member_filter(queryset, prefix, Q(category=value) | Q(category__parent=value))

    return filters.ModelChoiceFilter(
        label="Category",
        queryset=None,
        to_field_name="code",
        empty_label="All categories",
        method=within,
    )


def valid_choices(filterset) -> dict:
    """The filters' values that are valid: one refused choice (a region outside the scope)
    shows its error but does not drop the other filters."""
    filterset.form.is_valid()  # cleans the form once; refused fields stay out of cleaned_data
    return dict(filterset.form.cleaned_data)


def no_match_text(noun: str, filterset) -> str:
    """What an empty table says: the text searched that found nothing, or that the filters
    found nothing, or that the scope holds none."""
    data = valid_choices(filterset)
    chosen = {name: value for name, value in data.items() if value not in (None, "")}
    searched = [
        value.strip()
        for name, value in chosen.items()
        if isinstance(filterset.filters[name], filters.CharFilter) and value.strip()
    ]
    if searched:
        found = " and ".join(f"“{text}”" for text in searched)
        rest = " with these filters" if len(chosen) > len(searched) else ""
        return f"No {noun} matches {found}{rest}."
    if chosen:
        return f"No {noun} matches these filters."
    return f"No {noun} in your scope."


class CodeLinkColumn(tables.Column):
    """A member's code linking to its page, for a column of stores or SKUs."""

    def __init__(self, url_name: str, **kwargs):
        self.url_name = url_name
        super().__init__(**kwargs)

    def render(self, value, record):
        return format_html('<a href="{}">{}</a>', reverse(self.url_name, args=[record.pk]), value)


class StoreFilter(filters.FilterSet):
    q = search_filter("Store")
    region = filters.ModelChoiceFilter(
        label="Region", queryset=None, to_field_name="code", empty_label="All regions"
    )
    store_format = filters.ChoiceFilter(label="Format", empty_label="All formats")

    class Meta:
        model = Store
        fields = ["q", "region", "store_format"]

    def __init__(self, data, *, scope: Scope, **kwargs):
        super().__init__(data, **kwargs)
        self.filters["region"].queryset = region_list(scope)
        self.filters["store_format"].extra["choices"] = [
            (name, name) for name in store_formats(scope)
        ]


class StoreTable(tables.Table):
    code = CodeLinkColumn("masterdata:store", verbose_name="Code")
    name = tables.Column(verbose_name="Name")
    region = tables.Column(accessor="region__name", verbose_name="Region", order_by="region__name")
    store_format = tables.Column(verbose_name="Format", default="—")
    floor_area_m2 = tables.Column(
        verbose_name="Floor area (m²)",
        default="—",
        attrs={"td": {"class": "num"}, "th": {"class": "num"}},
    )
    warehouse = tables.Column(
        accessor="warehouse__name",
        verbose_name="Warehouse",
        default="—",
        order_by="warehouse__name",
    )
    opened_on = tables.DateColumn(format="Y-m-d", verbose_name="Opened", default="—")

    class Meta:
        attrs = {"class": "list"}
        order_by = "code"

    def render_floor_area_m2(self, value) -> str:
        return f"{value:,}"


STORE_EXPORT = ListExport(
    filename="stores",
    columns=[
        Column("code", "Store code"),
        Column("name", "Store name"),
        Column("region_code", "Region code"),
        Column("region", "Region"),
        Column("store_format", "Format"),
        Column("floor_area_m2", "Floor area (m²)"),
        Column("warehouse", "Warehouse"),
        Column("opened_on", "Opened"),
    ],
    row=lambda store: {
        "code": store.code,
        "name": store.name,
        "region_code": store.region.code,
        "region": store.region.name,
        "store_format": store.store_format,
        "floor_area_m2": store.floor_area_m2,
        "warehouse": store.warehouse.name if store.warehouse else None,
        "opened_on": store.opened_on,
    },
)


ACTIVE_CHOICES = [("", "Active and inactive"), ("true", "Active"), ("false", "Inactive")]


class SKUFilter(filters.FilterSet):
    q = search_filter("SKU")
    category = category_filter()
    is_active = filters.BooleanFilter(label="Status", widget=forms.Select(choices=ACTIVE_CHOICES))

    class Meta:
        model = SKU
        fields = ["q", "category", "is_active"]

    def __init__(self, data, *, scope: Scope, **kwargs):
        super().__init__(data, **kwargs)
        self.filters["category"].queryset = category_list(scope)


class MoneyColumn(tables.Column):
    """An amount shown with the company's currency, right-aligned."""

    def __init__(self, currency: str, **kwargs):
        self.currency = currency
        kwargs.setdefault("attrs", {"td": {"class": "num"}, "th": {"class": "num"}})
        super().__init__(**kwargs)

    def render(self, value):
        return money_text(value, self.currency, decimals=2)


class SKUTable(tables.Table):
    code = CodeLinkColumn("masterdata:sku", verbose_name="Code")
    name = tables.Column(verbose_name="Name")
    category = tables.Column(
        accessor="category__name",
        verbose_name="Category",
        order_by="category__name",
        attrs={"td": {"class": "nowrap"}},
    )
    lead_time_days = tables.Column(
        verbose_name="Lead time (days)", attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    is_active = tables.BooleanColumn(verbose_name="Active", yesno="Active,Inactive")

    class Meta:
        attrs = {"class": "list"}
        order_by = "code"
        sequence = ("code", "name", "category", "unit_cost", "unit_price", "...")

    def __init__(self, data, *, currency: str, **kwargs):
        extra = [
            ("unit_cost", MoneyColumn(currency, verbose_name=f"Unit cost ({currency})")),
            ("unit_price", MoneyColumn(currency, verbose_name=f"Unit price ({currency})")),
        ]
        super().__init__(data, extra_columns=extra, **kwargs)


def sku_export(currency: str) -> ListExport:
    return ListExport(
        filename="skus",
        columns=[
            Column("code", "SKU code"),
            Column("name", "SKU name"),
            Column("category_code", "Category code"),
            Column("category", "Category"),
            Column("unit_cost", f"Unit cost ({currency})"),
            Column("unit_price", f"Unit price ({currency})"),
            Column("lead_time_days", "Lead time (days)"),
            Column("is_active", "Active"),
        ],
        row=lambda sku: {
            "code": sku.code,
            "name": sku.name,
            "category_code": sku.category.code,
            "category": sku.category.name,
            "unit_cost": sku.unit_cost,
            "unit_price": sku.unit_price,
            "lead_time_days": sku.lead_time_days,
            "is_active": sku.is_active,
        },
    )
