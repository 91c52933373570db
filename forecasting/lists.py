"""The forecasts list and the accuracy exceptions list: filters, tables and download columns.

Both filter by store and SKU (code or name), category and region with django-filter; the
forecasts list narrows the scoped stored forecasts of the newest origin, the exceptions list
narrows every queryset its per-series errors are computed from. Quantities carry "units",
or the company currency where the sales history holds values only (the forecasts are then
of sales value).
"""

from __future__ import annotations

from collections.abc import Callable

import django_filters as filters
import django_tables2 as tables
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.html import format_html

from accounts.scoping import Scope
from exports.list_pages import ListExport
from exports.tables import Column
from forecasting.accuracy_pages import AccuracyFilter
from forecasting.explanation import model_label
from forecasting.explorer import measure_unit
from forecasting.models import AccuracyRecord, Forecast, Granularity, SeriesModel
from forecasting.selectors import latest_origin
from forecasting.templatetags.forecast_format import percent, signed_percent
from masterdata.lists import (
    category_filter,
    member_filter,
    no_match_text,
    search_filter,
    valid_choices,
)
from masterdata.selectors import category_list, region_list
from masterdata.templatetags.units import money_text, units_text

MEMBER_FILTERS = ("store", "sku", "category", "region")


def _unchanged(queryset: QuerySet, name: str, value) -> QuerySet:
    """For choices that pick which figures to show, not which series."""
    return queryset


class Measure:
    """How a quantity reads: "units", or the currency when forecasts are of sales value."""

    def __init__(self, measure: str, currency: str):
        self.is_value = measure == "value"
        self.unit = measure_unit(measure, currency)

    def text(self, value) -> str:
        if self.is_value:
            return money_text(value, self.unit)
        return units_text(value, decimals=1)


class MemberFilterSet(filters.FilterSet):
    """Store and SKU searches, category and region over rows keyed by store and SKU."""

    store = search_filter("Store", prefix="store__")
    sku = search_filter("SKU", prefix="sku__")
    category = category_filter(prefix="sku__")
    region = filters.ModelChoiceFilter(
        label="Region",
        queryset=None,
        to_field_name="code",
        empty_label="All regions",
        method=lambda queryset, name, value: member_filter(queryset, "store__", Q(region=value)),
    )

    def __init__(self, data, *, scope: Scope, **kwargs):
        super().__init__(data, **kwargs)
        self.filters["category"].queryset = category_list(scope)
        self.filters["region"].queryset = region_list(scope)

    def narrow(self, queryset: QuerySet) -> QuerySet:
        """``queryset`` (of any model keyed by store and SKU) limited to the chosen series."""
        chosen = valid_choices(self)
        for name in MEMBER_FILTERS:
            if chosen.get(name) not in (None, ""):
                queryset = self.filters[name].filter(queryset, chosen[name])
        return queryset


class MemberColumn(tables.Column):
    """A store or SKU: its code linking to its page, with its name beside it."""

    def __init__(self, url_name: str, **kwargs):
        self.url_name = url_name
        super().__init__(**kwargs)

    def render(self, value):
        return format_html(
            '<a href="{}">{}</a><span class="sub">{}</span>',
            reverse(self.url_name, args=[value.pk]),
            value.code,
            value.name,
        )


class ModelColumn(tables.Column):
    """A model or blend by its name for people ("Blend of ETS + LightGBM")."""

    def render(self, value) -> str:
        return model_label(value)


class FigureColumn(tables.Column):
    """A right-aligned number shown by ``text`` (a quantity with its unit, a percentage)."""

    def __init__(self, text: Callable[[object], str], **kwargs):
        self.text = text
        super().__init__(attrs={"td": {"class": "num nowrap"}, "th": {"class": "num"}}, **kwargs)

    def render(self, value):
        return self.text(value)


class ForecastFilter(MemberFilterSet):
    """The stored forecasts of the newest origin of one granularity (daily by default)."""

    granularity = filters.ChoiceFilter(
        label="Granularity", choices=Granularity.choices, empty_label=None, method=_unchanged
    )

    class Meta:
        model = Forecast
        fields = ["granularity", *MEMBER_FILTERS]

    def __init__(self, data, *, scope: Scope, default_granularity: str, **kwargs):
        data = data.copy()
        if not data.get("granularity"):
            data["granularity"] = default_granularity
        super().__init__(data, scope=scope, **kwargs)
        self.granularity = valid_choices(self).get("granularity") or default_granularity
        self.origin = latest_origin(self.granularity)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # Unsorted, the list follows the unique index (store, SKU, granularity, origin, date):
        # the first page is read off it instead of sorting every row of the origin by codes.
        queryset = queryset.filter(granularity=self.granularity, origin=self.origin)
        return self.narrow(queryset).order_by("store_id", "sku_id", "date")


def _period_text(granularity: str) -> Callable[[object], str]:
    if granularity == Granularity.WEEKLY:
        return lambda day: f"Week to {day:%a %d %b %Y}"
    return lambda day: f"{day:%a %d %b %Y}"


class ForecastTable(tables.Table):
    store = MemberColumn(
        "masterdata:store", order_by=("store__code",), attrs={"td": {"class": "nowrap"}}
    )
    sku = MemberColumn("masterdata:sku", verbose_name="SKU", order_by=("sku__code",))
    category = tables.Column(
        accessor="sku__category__name", verbose_name="Category", attrs={"td": {"class": "nowrap"}}
    )
    date = tables.Column(verbose_name="Period", attrs={"td": {"class": "nowrap"}})
    model = ModelColumn(verbose_name="Model")

    class Meta:
        attrs = {"class": "list"}
        sequence = ("store", "sku", "category", "date", "forecast", "p10", "p90", "model")

    def __init__(self, data, *, measure: Measure, granularity: str, **kwargs):
        unit = measure.unit
        extra = [
            ("forecast", FigureColumn(measure.text, verbose_name=f"Forecast ({unit})")),
            ("p10", FigureColumn(measure.text, verbose_name=f"P10 ({unit})")),
            ("p90", FigureColumn(measure.text, verbose_name=f"P90 ({unit})")),
        ]
        super().__init__(data, extra_columns=extra, **kwargs)
        self.period_text = _period_text(granularity)

    def render_date(self, value) -> str:
        return self.period_text(value)


def forecast_export(measure: Measure, granularity: str) -> ListExport:
    unit = measure.unit
    grain = Granularity(granularity).label.lower()
    columns = [
        Column("store__code", "Store code"),
        Column("store__name", "Store name"),
        Column("store__region__name", "Region"),
        Column("sku__code", "SKU code"),
        Column("sku__name", "SKU name"),
        Column("sku__category__name", "Category"),
        Column("origin", "Made from actuals up to"),
        Column("date", "Week ending" if granularity == Granularity.WEEKLY else "Date"),
        Column("forecast", f"Forecast ({unit})"),
        Column("p10", f"P10 ({unit})"),
        Column("p90", f"P90 ({unit})"),
        Column("model", "Model"),
    ]
    return ListExport(
        filename=f"forecasts-{grain}",
        columns=columns,
        values=tuple(column.key for column in columns),
    )


RANKINGS = [("error", "Largest error first"), ("bias", "Largest bias first (either way)")]


class AccuracyExceptionFilter(MemberFilterSet):
    """Which figures (backtest or live, daily or weekly, ranked by error or bias) and which
    series; only the series filters narrow the rows the figures come from."""

    source = filters.ChoiceFilter(
        label="Source",
        choices=[
            (AccuracyRecord.Source.BACKTEST, "Backtest"),
            (AccuracyRecord.Source.LIVE, "Live"),
        ],
        empty_label=None,
        method=_unchanged,
    )
    granularity = filters.ChoiceFilter(
        label="Granularity", choices=Granularity.choices, empty_label=None, method=_unchanged
    )
    rank = filters.ChoiceFilter(
        label="Order", choices=RANKINGS, empty_label=None, method=_unchanged
    )

    class Meta:
        model = SeriesModel  # the series it narrows; the rows are computed from their figures
        fields = ["source", "granularity", "rank", *MEMBER_FILTERS]

    def __init__(self, data, *, scope: Scope, defaults: AccuracyFilter, **kwargs):
        data = data.copy()
        for name, default in (
            ("source", defaults.source),
            ("granularity", defaults.granularity),
            ("rank", "error"),
        ):
            if not data.get(name):
                data[name] = default
        super().__init__(data, scope=scope, **kwargs)
        chosen = valid_choices(self)
        self.accuracy = AccuracyFilter(
            source=chosen.get("source") or defaults.source,
            granularity=chosen.get("granularity") or defaults.granularity,
        )
        self.rank = chosen.get("rank") or "error"

    def empty_text(self) -> str:
        """What an empty list says: no figures at all yet, or none for the series chosen."""
        chosen = valid_choices(self)
        if any(chosen.get(name) not in (None, "") for name in MEMBER_FILTERS):
            return no_match_text("series", self)
        source = "live" if self.accuracy.source == AccuracyRecord.Source.LIVE else "backtest"
        grain = Granularity(self.accuracy.granularity).label.lower()
        return f"No {source} accuracy figures for {grain} forecasts in your scope yet."

    def ranked(self, rows: list[dict]) -> list[dict]:
        """``rows`` (worst error first) reordered by the chosen ranking."""
        if self.rank != "bias":
            return rows
        return sorted(rows, key=lambda row: -(row["abs_bias"] or 0.0))


class AccuracyExceptionTable(tables.Table):
    store = MemberColumn(
        "masterdata:store", order_by=("store__code",), attrs={"td": {"class": "nowrap"}}
    )
    sku = MemberColumn("masterdata:sku", verbose_name="SKU", order_by=("sku__code",))
    category = tables.Column(
        accessor="sku__category__name", verbose_name="Category", attrs={"td": {"class": "nowrap"}}
    )
    model = ModelColumn(verbose_name="Model")
    wape = FigureColumn(percent, verbose_name="WAPE")
    bias = FigureColumn(signed_percent, verbose_name="Bias")

    class Meta:
        attrs = {"class": "list"}
        sequence = ("store", "sku", "category", "model", "wape", "bias", "...")

    def __init__(self, data, *, measure: Measure, accuracy: AccuracyFilter, **kwargs):
        extra = []
        if accuracy.source == AccuracyRecord.Source.LIVE:
            label = f"Actual sales ({measure.unit})"
            extra = [("volume", FigureColumn(measure.text, verbose_name=label, default="—"))]
        super().__init__(data, extra_columns=extra, **kwargs)


def accuracy_exception_export(measure: Measure, accuracy: AccuracyFilter) -> ListExport:
    grain = Granularity(accuracy.granularity).label.lower()
    live = accuracy.source == AccuracyRecord.Source.LIVE
    volume = [Column("volume", f"Actual sales ({measure.unit})")] if live else []
    return ListExport(
        filename=f"accuracy-exceptions-{accuracy.source}-{grain}",
        columns=[
            Column("store", "Store code"),
            Column("store_name", "Store name"),
            Column("sku", "SKU code"),
            Column("sku_name", "SKU name"),
            Column("category", "Category"),
            Column("model", "Model"),
            Column("wape", "WAPE (%)"),
            Column("bias", "Bias (%)"),
            *volume,
        ],
        row=lambda row: {
            "store": row["store"].code,
            "store_name": row["store"].name,
            "sku": row["sku"].code,
            "sku_name": row["sku"].name,
            "category": row["sku"].category.name,
            "model": row["model"],
            "wape": _percent_number(row["wape"]),
            "bias": _percent_number(row["bias"]),
            "volume": row["volume"],
        },
    )


def _percent_number(fraction) -> float | None:
    return None if fraction is None or fraction != fraction else round(fraction * 100, 2)
