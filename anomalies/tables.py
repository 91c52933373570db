"""The inbox table and its download columns: each alert with names beside codes, the
event's period, expected against actual in units and the money at stake in the company
currency."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from anomalies.models import Alert, AlertKind
from exports.list_pages import ListExport
from exports.tables import Column
from masterdata.templatetags.units import money_text, units_text

NUMBER = {"td": {"class": "num nowrap"}, "th": {"class": "num"}}


def place_of(alert: Alert) -> tuple[str, str]:
    """(code, name) of where the alert happened: its store, warehouse, supplier or the
    company's whole feed."""
    if alert.store_id is not None:
        return alert.store.code, alert.store.name
    if alert.warehouse_id is not None:
        return alert.warehouse.code, alert.warehouse.name
    if alert.supplier:
        return alert.supplier, "supplier"
    return "All stores", "the company's feed"


# What an alert's expected and actual figures count: lead times for supply delays, rows
# reported for the feed, units sold or on hand for everything else.
FIGURE_UNITS = {
    AlertKind.LATE_DELIVERY: "days",
    AlertKind.LEAD_TIME_DRIFT: "days",
    AlertKind.FEED_STOPPED: "rows",
    AlertKind.FEED_THIN: "rows",
}
FIGURE_NAMES = {"days": "lead time", "rows": "rows reported"}


def figure_unit(alert: Alert) -> str:
    """The unit of ``alert.expected`` and ``alert.actual``."""
    return FIGURE_UNITS.get(alert.kind, "units")


def period_text(alert: Alert) -> str:
    if alert.start_date == alert.end_date:
        return f"{alert.start_date:%a %d %b %Y}"
    return f"{alert.start_date:%d %b} – {alert.end_date:%d %b %Y}"


class SeverityColumn(tables.Column):
    def render(self, value, record):
        return format_html(
            '<span class="sev sev-{}">{}</span>', record.severity, record.get_severity_display()
        )


class AlertTable(tables.Table):
    select = tables.CheckBoxColumn(
        accessor="pk",
        orderable=False,
        attrs={
            "input": {"form": "bulk-form", "name": "alerts", "class": "row-pick"},
            "th__input": {"class": "pick-all", "aria-label": "Tick every alert on this page"},
            "td__input": {"aria-label": "Tick this alert"},
        },
    )
    severity = SeverityColumn(verbose_name="Severity")
    kind = tables.Column(verbose_name="What", order_by=("kind",))
    place = tables.Column(
        accessor="store", verbose_name="Where", order_by=("store__code",), empty_values=()
    )
    sku = tables.Column(verbose_name="SKU", order_by=("sku__code",), empty_values=())
    period = tables.Column(
        accessor="start_date", verbose_name="When", attrs={"td": {"class": "nowrap"}}
    )
    summary = tables.Column(
        verbose_name="Summary", orderable=False, attrs={"td": {"class": "summary"}}
    )
    actual = tables.Column(
        verbose_name="Expected → actual", attrs=NUMBER, empty_values=(), order_by=("actual",)
    )
    status = tables.Column(verbose_name="Status")
    owner = tables.Column(accessor="owner__username", verbose_name="Owner", default="—")

    class Meta:
        attrs = {"class": "list alerts"}
        sequence = (
            "select",
            "severity",
            "kind",
            "place",
            "sku",
            "period",
            "summary",
            "actual",
            "value_at_stake",
            "status",
            "owner",
        )

    def __init__(self, data, *, currency: str, selectable: bool, **kwargs):
        extra = [
            (
                "value_at_stake",
                tables.Column(verbose_name=f"At stake ({currency})", attrs=NUMBER),
            )
        ]
        exclude = () if selectable else ("select",)
        super().__init__(data, extra_columns=extra, exclude=exclude, **kwargs)
        self.currency = currency

    def render_kind(self, value, record):
        return record.get_kind_display()

    def render_place(self, value, record):
        code, name = place_of(record)
        return format_html("{}<span class='sub'>{}</span>", code, name)

    def render_sku(self, value, record):
        if record.sku_id is None:
            return "—"
        return format_html("{}<span class='sub'>{}</span>", record.sku.code, record.sku.name)

    def render_period(self, value, record):
        return period_text(record)

    def render_summary(self, value, record):
        return format_html(
            '<a href="{}">{}</a>', reverse("anomalies:alert", args=[record.pk]), value
        )

    def render_actual(self, value, record):
        if record.expected is None and record.actual is None:
            return "—"
        expected = "—" if record.expected is None else f"{record.expected:,.1f}"
        actual = units_text(record.actual, figure_unit(record), decimals=1)
        return format_html("{} → {}", expected, actual)

    def render_value_at_stake(self, value, record):
        return money_text(value, self.currency)

    def render_status(self, value, record):
        return format_html(
            '<span class="status status-{}">{}</span>', record.status, record.get_status_display()
        )


def alert_export(currency: str, *, held_back: bool) -> ListExport:
    columns = [
        Column("id", "Alert id"),
        Column("severity", "Severity"),
        Column("kind", "Kind"),
        Column("metric", "Metric"),
        Column("place_code", "Store or warehouse code"),
        Column("place_name", "Store or warehouse name"),
        Column("sku_code", "SKU code"),
        Column("sku_name", "SKU name"),
        Column("category", "Category"),
        Column("start_date", "From"),
        Column("end_date", "To"),
        Column("expected", "Expected"),
        Column("actual", "Actual"),
        Column("figure_unit", "Unit of expected and actual"),
        Column("units_at_stake", "Units at stake (units)"),
        Column("value_at_stake", f"Value at stake ({currency})"),
        Column("stockout_risk", "Stock-out risk (%)"),
        Column("score", "Score"),
        Column("summary", "Summary"),
        Column("suggested_cause", "Suggested cause"),
        Column("status", "Status"),
        Column("dismiss_reason", "Dismiss reason"),
        Column("owner", "Owner"),
    ]

    def row(alert: Alert) -> dict:
        code, name = place_of(alert)
        return {
            "id": alert.pk,
            "severity": alert.get_severity_display(),
            "kind": alert.get_kind_display(),
            "metric": alert.get_metric_display(),
            "place_code": code,
            "place_name": name,
            "sku_code": alert.sku.code if alert.sku_id else None,
            "sku_name": alert.sku.name if alert.sku_id else None,
            "category": alert.sku.category.name if alert.sku_id else None,
            "start_date": alert.start_date,
            "end_date": alert.end_date,
            "expected": alert.expected,
            "actual": alert.actual,
            "figure_unit": figure_unit(alert),
            "units_at_stake": alert.units_at_stake,
            "value_at_stake": alert.value_at_stake,
            "stockout_risk": None
            if alert.stockout_risk is None
            else round(alert.stockout_risk * 100, 1),
            "score": alert.score,
            "summary": alert.summary,
            "suggested_cause": alert.suggested_cause,
            "status": alert.get_status_display(),
            "dismiss_reason": alert.get_dismiss_reason_display() if alert.dismiss_reason else None,
            "owner": alert.owner.username if alert.owner_id else None,
        }

    return ListExport(
        filename="alerts-held-back" if held_back else "alerts", columns=columns, row=row
    )
