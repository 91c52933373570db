"""The worklist's table and its download: every recommendation with the location and SKU
named, quantities in units and cases, cost in the company currency, and the decision cell
(status, editable quantity, accept and reject) that HTMX swaps after each decision."""

from __future__ import annotations

import django_tables2 as tables
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import format_html

from accounts.roles import primary_role
from exports.list_pages import ListExport
from exports.tables import Column
from inventory.models import Recommendation
from masterdata.templatetags.units import money_text, units_text

NUM = {"td": {"class": "num nowrap"}, "th": {"class": "num"}}


def cases_text(units: float | None, case_pack: int) -> str:
    if units is None:
        return "—"
    pack = max(case_pack or 1, 1)
    cases = units / pack
    shown = f"{cases:,.0f}" if abs(cases - round(cases)) < 1e-9 else f"{cases:,.1f}"
    return f"{shown} case{'s' if cases != 1 else ''} of {pack}"


def location_of(row: Recommendation):
    return row.store if row.store_id else row.warehouse


class LocationColumn(tables.Column):
    """The store (linking to its policy page for this SKU) or warehouse, with its name."""

    def render(self, record):
        if record.store_id:
            url = reverse("inventory:policy", args=[record.store_id, record.sku_id])
            return format_html(
                '<a href="{}" title="Policy and projected stock">{}</a><span class="sub">{}</span>',
                url,
                record.store.code,
                record.store.name,
            )
        return format_html(
            '{}<span class="sub">{} (warehouse)</span>',
            record.warehouse.code,
            record.warehouse.name,
        )


class SKUColumn(tables.Column):
    def render(self, record):
        return format_html(
            '<a href="{}">{}</a><span class="sub">{}</span>',
            reverse("masterdata:sku", args=[record.sku_id]),
            record.sku.code,
            record.sku.name,
        )


class RecommendationTable(tables.Table):
    select = tables.CheckBoxColumn(
        accessor="pk",
        orderable=False,
        attrs={
            "input": {"form": "bulk-form", "name": "select", "aria-label": "Select"},
            "th__input": {"form": "bulk-form", "aria-label": "Select all", "data-select-all": ""},
        },
    )
    location = LocationColumn(
        accessor="pk",
        verbose_name="Store / warehouse",
        order_by=("store__code", "warehouse__code"),
    )
    sku = SKUColumn(accessor="pk", verbose_name="SKU", order_by=("sku__code",))
    category = tables.Column(accessor="sku__category__name", verbose_name="Category")
    reason = tables.Column(verbose_name="Why", attrs={"td": {"class": "reason"}})
    order_date = tables.DateColumn(format="D j M", verbose_name="Order on")
    arrival_date = tables.DateColumn(format="D j M", verbose_name="Arrives")
    quantity = tables.Column(verbose_name="Recommended", attrs=NUM)
    cost = tables.Column(
        verbose_name="Cost", attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    decision = tables.Column(
        accessor="pk", verbose_name="Decision", orderable=False, attrs={"td": {"class": "decision"}}
    )

    class Meta:
        model = Recommendation
        fields = ()
        attrs = {"class": "list worklist"}
        sequence = (
            "select",
            "location",
            "sku",
            "category",
            "reason",
            "order_date",
            "arrival_date",
            "quantity",
            "cost",
            "decision",
        )

    def __init__(self, data, *, currency: str, request, **kwargs):
        super().__init__(data, **kwargs)
        self.currency = currency
        # The decision cell is rendered once per row: with what it reads from the request
        # resolved once here, rather than every context processor running again per row.
        self.decision_template = get_template("inventory/_decision.html")
        self.decision_context = {
            "currency": currency,
            "request": request,
            "user_role": primary_role(request.user),
            "csrf_token": get_token(request),
        }

    def render_select(self, record):
        return format_html(
            '<input type="checkbox" form="bulk-form" name="select" value="{}:{}" '
            'aria-label="Select {} at {}">',
            record.pk,
            record.version,
            record.sku.code,
            location_of(record).code,
        )

    def render_quantity(self, record):
        return format_html(
            '{}<span class="sub">{}</span>',
            units_text(record.quantity),
            cases_text(record.quantity, record.sku.case_pack),
        )

    def render_cost(self, record):
        what = (
            f"transport from {record.source_warehouse.code}"
            if record.source_warehouse_id
            else "purchase + transport"
        )
        return format_html(
            '{}<span class="sub">{}</span>',
            money_text(record.cost, self.currency, decimals=2),
            what,
        )

    def render_decision(self, record):
        return self.decision_template.render({**self.decision_context, "rec": record})


def recommendation_export(currency: str) -> ListExport:
    columns = [
        Column("id", "Recommendation id"),
        Column("location_code", "Store or warehouse code"),
        Column("location_name", "Store or warehouse name"),
        Column("source", "Ships from"),
        Column("sku_code", "SKU code"),
        Column("sku_name", "SKU name"),
        Column("category", "Category"),
        Column("order_date", "Order on"),
        Column("arrival_date", "Arrives"),
        Column("quantity", "Recommended (units)"),
        Column("cases", "Recommended (cases)"),
        Column("case_pack", "Units per case"),
        Column("final_quantity", "Approved (units)"),
        Column("cost", f"Cost ({currency})"),
        Column("status", "Status"),
        Column("decided_by", "Decided by"),
        Column("reason", "Why"),
    ]

    def row(rec: Recommendation) -> dict:
        location = location_of(rec)
        pack = max(rec.sku.case_pack or 1, 1)
        return {
            "id": rec.pk,
            "location_code": location.code,
            "location_name": location.name,
            "source": rec.source_warehouse.code if rec.source_warehouse_id else "Supplier",
            "sku_code": rec.sku.code,
            "sku_name": rec.sku.name,
            "category": rec.sku.category.name,
            "order_date": rec.order_date,
            "arrival_date": rec.arrival_date,
            "quantity": rec.quantity,
            "cases": rec.quantity / pack,
            "case_pack": pack,
            "final_quantity": rec.final_quantity,
            "cost": rec.cost,
            "status": rec.get_status_display(),
            "decided_by": rec.decided_by.get_username() if rec.decided_by_id else "",
            "reason": rec.reason,
        }

    return ListExport(filename="replenishment-recommendations", columns=columns, row=row)
