"""The forecast explorer page: its chart, a series' explanation and an aggregate's breakdown.

Page view-models (plain dicts for templates and Plotly) built on the scoped reads of
:mod:`forecasting.selectors`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

import numpy as np
import pandas as pd
from django.db.models import (
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    Q,
    Sum,
)

from accounts.scoping import Scope, category_subtree_ids
from forecasting.engine.granularity import Granularity, granularity_of
from forecasting.models import BacktestPoint, Forecast, SeriesModel
from forecasting.selectors import SALES_MEASURE, latest_origin, scope_q
from forecasting.summaries import (
    ActualsCell,
    BacktestCell,
    ForecastCell,
    forecast_cells_ready,
)
from history.models import CalendarEvent, MissingPeriod, Promotion, SalesFact, StoreClosure
from masterdata.models import SKU, Category, Region, Store
from masterdata.selectors import company

# The explorer shows a year of history: 52 periods keep the weekday (daily) or the week.
HISTORY_PERIODS = 52

# "Last year" is 364 days back: the same weekday (daily) or the same week (weekly).
LAST_YEAR = pd.Timedelta(days=364)

# Whether a selection counts units or sales value is read off its last weeks of sales.
MEASURE_LOOKBACK = dt.timedelta(days=28)


CHILDREN_SHOWN = 12


PROMOTIONS_SHOWN = 100


@dataclass(frozen=True)
class SeriesFilter:
    """What the explorer shows: one store × SKU series, or the sum of every series in the
    scope that matches all of the given members."""

    granularity: str
    store: Store | None = None
    sku: SKU | None = None
    category: Category | None = None
    region: Region | None = None

    @property
    def is_single_series(self) -> bool:
        return self.store is not None and self.sku is not None

    def q(self) -> Q:
        q = Q()
        if self.store is not None:
            q &= Q(store=self.store)
        if self.sku is not None:
            q &= Q(sku=self.sku)
        if self.region is not None:
            q &= Q(store__region=self.region)
        if self.category is not None:
            q &= Q(sku__category__in=category_subtree_ids({self.category.pk}))
        return q

    def cell_q(self) -> Q:
        """The same selection over the summary cells (no single SKU: cells sum SKUs)."""
        q = Q()
        if self.store is not None:
            q &= Q(store=self.store)
        if self.region is not None:
            q &= Q(store__region=self.region)
        if self.category is not None:
            q &= Q(category__in=category_subtree_ids({self.category.pk}))
        return q

    def query_string(self) -> str:
        params = {"granularity": self.granularity}
        for name in ("store", "sku", "category", "region"):
            member = getattr(self, name)
            if member is not None:
                params[name] = member.code
        return urlencode(params)


def _facts(model, scope: Scope, selection: SeriesFilter):
    return model.objects.filter(scope_q(scope), selection.q())


def _summed(selection: SeriesFilter, origin: dt.date | None) -> bool:
    """Whether the selection's sums can come from the summary cells: it does not pick one
    SKU, and the forecasts of ``origin`` are summarised (the actuals cells always are)."""
    return (
        selection.sku is None
        and origin is not None
        and forecast_cells_ready(granularity=selection.granularity, origin=origin)
    )


def _cells(model, scope: Scope, selection: SeriesFilter):
    return model.objects.visible_to(scope).filter(selection.cell_q())


def _dates(values) -> list[str]:
    return [pd.Timestamp(v).strftime("%Y-%m-%d") for v in values]


def _rounded(values) -> list[float | None]:
    return [None if pd.isna(v) else round(float(v), 2) for v in values]


def measure_unit(measure: str, currency: str) -> str:
    """What the explorer's numbers count: "units", or the currency of a sales value."""
    return "units" if measure == "units" else currency


def _grain(code: str, origin: dt.date | None) -> Granularity:
    """The selection's granularity; weekly periods end on the weekday the stored weekly
    forecasts end on (their origin's), else on the company's week end."""
    grain = granularity_of(code)
    if not grain.is_weekly:
        return grain
    weekday = origin.weekday() if origin is not None else company().week_ends_on
    return grain.ending_on(weekday)


def _actuals(
    scope: Scope,
    selection: SeriesFilter,
    grain: Granularity,
    start: dt.date,
    end: dt.date,
    *,
    summed: bool,
) -> pd.Series:
    """Actual sales per period ending in (``start``, ``end``], both period ends; a period
    without sales sold nothing. From the actuals cells when ``summed``."""
    if summed:
        days = _cells(ActualsCell, scope, selection).values("date").annotate(total=Sum("actual"))
    else:
        days = _facts(SalesFact, scope, selection).values("date").annotate(total=Sum(SALES_MEASURE))
    rows = days.filter(date__gt=start, date__lte=end).order_by("date")
    frame = pd.DataFrame.from_records(list(rows), columns=["date", "total"])
    periods = pd.date_range(pd.Timestamp(start) + grain.period, pd.Timestamp(end), freq=grain.freq)
    if frame.empty:
        return pd.Series(0.0, index=periods)
    sales = frame.set_index(pd.to_datetime(frame["date"]))["total"].astype(float)
    if grain.is_weekly:
        sales = sales.resample(grain.freq).sum()
    return sales.reindex(periods, fill_value=0.0)


def _measure(scope: Scope, selection: SeriesFilter, end: dt.date) -> str:
    """What the selection's sales count: units when its last weeks of sales carry
    quantities, else the sales value (sources such as Walmart report only the value)."""
    recent = _facts(SalesFact, scope, selection).filter(
        date__gt=end - MEASURE_LOOKBACK, date__lte=end
    )
    if recent.filter(quantity__isnull=False).exists():
        return "units"
    return "value" if recent.exists() else "units"


def _forecast_sums(
    scope: Scope, selection: SeriesFilter, origin: dt.date, *, summed: bool
) -> pd.DataFrame:
    """The forecast per date summed over the selection, with its p10–p90 band.

    One series keeps its own quantiles. A sum of series gets the band of
    ``forecasting.aggregation``: children independent and normal, each child's sigma read
    off its p10–p90 width, so the spread is ``sqrt(Σ (p90 − p10)²) / 2`` around the
    summed mean (a sum of many series is close to normal, so its median is its mean);
    computed in the database so large selections stay one query (over the summary cells
    when ``summed``, whose ``width_sq`` already sums the squares).
    """
    if summed:
        width, source = F("width_sq"), _cells(ForecastCell, scope, selection)
    else:
        width = ExpressionWrapper(
            (F("p90") - F("p10")) * (F("p90") - F("p10")), output_field=FloatField()
        )
        source = _facts(Forecast, scope, selection)
    rows = (
        source.filter(granularity=selection.granularity, origin=origin)
        .values("date")
        .annotate(
            total=Sum("forecast"),
            low=Sum("p10"),
            median=Sum("p50"),
            high=Sum("p90"),
            width_sq=Sum(width),
        )
        .order_by("date")
    )
    frame = pd.DataFrame.from_records(
        list(rows), columns=["date", "total", "low", "median", "high", "width_sq"]
    ).rename(columns={"total": "forecast", "low": "p10", "median": "p50", "high": "p90"})
    if frame.empty or selection.is_single_series:
        return frame
    spread = np.sqrt(frame["width_sq"].astype(float)) / 2
    frame["p50"] = frame["forecast"]
    frame["p90"] = frame["p50"] + spread
    frame["p10"] = np.minimum((frame["p50"] - spread).clip(lower=0), frame["p50"])
    return frame


def _promotions(scope: Scope, selection: SeriesFilter, start: dt.date, end: dt.date) -> list[dict]:
    """Promotions that apply to the whole selection: company- or store-wide ones, and the
    selected SKU's own (per-SKU promotions of an aggregate would shade every day)."""
    promotions = Promotion.objects.filter(start_date__lte=end, end_date__gte=start)
    if selection.sku is not None:
        promotions = promotions.filter(Q(sku__isnull=True) | Q(sku=selection.sku))
    else:
        promotions = promotions.filter(sku__isnull=True)
    stores = Store.objects.visible_to(scope)
    if selection.store is not None:
        stores = stores.filter(pk=selection.store.pk)
    elif selection.region is not None:
        stores = stores.filter(region=selection.region)
    promotions = promotions.filter(Q(store__isnull=True) | Q(store__in=stores))
    rows = promotions.order_by("start_date").values(
        "name", "code", "start_date", "end_date", "mechanic", "discount_pct"
    )[:PROMOTIONS_SHOWN]
    return [
        {
            "name": row["name"] or row["code"],
            "start": row["start_date"].isoformat(),
            "end": row["end_date"].isoformat(),
            "detail": " ".join(
                part
                for part in (
                    row["mechanic"],
                    f"{row['discount_pct']:.0f}% off" if row["discount_pct"] else "",
                )
                if part
            ),
        }
        for row in rows
    ]


def _events(selection: SeriesFilter, start: dt.date, end: dt.date) -> list[dict]:
    """Holidays and events: company-wide ones and those of the selected store or region."""
    applies = Q(region__isnull=True, store__isnull=True)
    if selection.store is not None:
        applies |= Q(store=selection.store) | Q(region_id=selection.store.region_id, store=None)
    elif selection.region is not None:
        applies |= Q(region=selection.region, store=None)
    rows = (
        CalendarEvent.objects.filter(applies, date__gte=start, date__lte=end)
        .order_by("date")
        .values("date", "name", "event_type")
    )
    return [
        {"date": r["date"].isoformat(), "name": r["name"], "type": r["event_type"]} for r in rows
    ]


def _unavailable(selection: SeriesFilter, start: dt.date, end: dt.date) -> list[dict]:
    """The selected store's closures and the periods it reported nothing for: shaded on
    the chart, because their sales are unknown rather than zero (an aggregate of many stores
    is not shaded: one store's gap would shade the whole chart)."""
    if selection.store is None:
        return []
    closures = StoreClosure.objects.filter(
        store=selection.store, start_date__lte=end, end_date__gte=start
    ).order_by("start_date")
    shaded = [
        {
            "start": row.start_date.isoformat(),
            "end": row.end_date.isoformat(),
            "until": (row.end_date + dt.timedelta(days=1)).isoformat(),
            "label": "Closed" + (f": {row.reason}" if row.reason else ""),
        }
        for row in closures[:PROMOTIONS_SHOWN]
    ]
    missing = MissingPeriod.objects.filter(
        store=selection.store, date__gt=start, date__lte=end
    ).order_by("date")
    for row in missing[:PROMOTIONS_SHOWN]:
        days = 7 if row.grain == "W" else 1
        shaded.append(
            {
                "start": (row.date - dt.timedelta(days=days - 1)).isoformat(),
                "end": row.date.isoformat(),
                "until": (row.date + dt.timedelta(days=1)).isoformat(),
                "label": "No sales reported (missing, not zero)",
            }
        )
    return shaded


def _last_known(grain: Granularity) -> dt.date | None:
    """The end of the last period whose actuals have arrived (any series' sales)."""
    last = SalesFact.objects.aggregate(last=Max("date"))["last"]
    return None if last is None else grain.last_complete_period(pd.Timestamp(last)).date()


def _aligned(values: pd.Series, dates) -> list[float | None]:
    return _rounded(values.reindex(pd.DatetimeIndex(pd.to_datetime(dates))).to_numpy())


def explorer_chart(*, scope, selection: SeriesFilter) -> dict:
    """Everything the explorer chart draws, summed over the selection within the
    scope: a year of actuals (and any that arrived after the forecast), the same periods a
    year earlier (364 days: the weekday or the week is kept), the selected models' backtest
    fits, the forecast and its band, and the promotions and calendar events over the same
    dates. ``forecast`` carries, per forecast period, last year's sales and the actual
    once known: the rows of the forecast table (:func:`forecast_table`)."""
    origin = latest_origin(selection.granularity)
    grain = _grain(selection.granularity, origin)
    end = origin
    if end is None:
        end = _facts(SalesFact, scope, selection).aggregate(last=Max("date"))["last"]
    chart: dict = {
        "granularity": selection.granularity,
        "origin": origin.isoformat() if origin else None,
        "measure": "units",
        "history": {"x": [], "y": []},
        "last_year": {"x": [], "y": []},
        "backtest": {"x": [], "y": [], "actual": []},
        "forecast": {"x": [], "y": [], "p10": [], "p90": [], "last_year": [], "actual": []},
        "promotions": [],
        "events": [],
        "unavailable": [],
    }
    if end is None:
        return chart
    summed = _summed(selection, origin)
    end = grain.last_complete_period(pd.Timestamp(end)).date()
    start = end - HISTORY_PERIODS * grain.period
    chart["measure"] = _measure(scope, selection, end)
    forecast = pd.DataFrame(columns=["date", "forecast", "p10", "p90"])
    if origin is not None:
        forecast = _forecast_sums(scope, selection, origin, summed=summed)
    last = max(forecast["date"]) if not forecast.empty else end
    known = min(_last_known(grain) or end, last)
    actuals = _actuals(scope, selection, grain, start - LAST_YEAR, max(known, end), summed=summed)
    history = actuals[actuals.index > pd.Timestamp(start)]
    chart["history"] = {"x": _dates(history.index), "y": _rounded(history.to_numpy())}
    periods = pd.date_range(pd.Timestamp(start) + grain.period, pd.Timestamp(last), freq=grain.freq)
    chart["last_year"] = {
        "x": _dates(periods),
        "y": _aligned(actuals, periods - LAST_YEAR),
    }
    points = (
        _cells(BacktestCell, scope, selection)
        if summed
        else _facts(BacktestPoint, scope, selection)
    )
    fits = pd.DataFrame.from_records(
        list(
            points.filter(granularity=selection.granularity, date__gt=start)
            .values("date")
            .annotate(fitted=Sum("forecast"), observed=Sum("actual"))
            .order_by("date")
        ),
        columns=["date", "fitted", "observed"],
    ).rename(columns={"fitted": "forecast", "observed": "actual"})
    chart["backtest"] = {
        "x": _dates(fits["date"]),
        "y": _rounded(fits["forecast"]),
        "actual": _rounded(fits["actual"]),
    }
    if not forecast.empty:
        dates = pd.to_datetime(forecast["date"])
        arrived = actuals[actuals.index <= pd.Timestamp(known)]
        chart["forecast"] = {
            "x": _dates(forecast["date"]),
            "y": _rounded(forecast["forecast"]),
            "p10": _rounded(forecast["p10"]),
            "p90": _rounded(forecast["p90"]),
            "last_year": _aligned(actuals, dates - LAST_YEAR),
            "actual": _aligned(arrived, dates),
        }
    chart["promotions"] = _promotions(scope, selection, start, last)
    chart["events"] = _events(selection, start, last)
    chart["unavailable"] = _unavailable(selection, start, last)
    return chart


def forecast_table(chart: dict) -> dict:
    """The forecast table under the chart — one row per forecast period with its band, last
    year's sales and the actual once known — and the live accuracy of the periods whose
    actuals have arrived. The same rows are what the explorer exports."""
    forecast = chart["forecast"]
    weekly = chart["granularity"] == "W"
    rows = []
    for date, value, p10, p90, last_year, actual in zip(
        forecast["x"],
        forecast["y"],
        forecast["p10"],
        forecast["p90"],
        forecast["last_year"],
        forecast["actual"],
        strict=True,
    ):
        day = dt.date.fromisoformat(date)
        rows.append(
            {
                "date": day,
                "period": f"Week ending {day:%a %-d %b %Y}" if weekly else f"{day:%a %-d %b %Y}",
                "forecast": value,
                "p10": p10,
                "p90": p90,
                "last_year": last_year,
                "actual": actual,
                "error": None if actual is None or value is None else value - actual,
            }
        )
    compared = [row for row in rows if row["actual"] is not None]
    volume = sum(abs(row["actual"]) for row in compared)
    live = None
    if compared:
        live = {
            "periods": len(compared),
            "wape": sum(abs(row["error"]) for row in compared) / volume if volume else None,
            "bias": sum(row["error"] for row in compared) / volume if volume else None,
        }

    def total(key: str) -> float | None:
        values = [row[key] for row in rows if row[key] is not None]
        return round(sum(values), 2) if values else None

    return {
        "rows": rows,
        "live": live,
        "totals": {key: total(key) for key in ("forecast", "last_year", "actual")},
    }


STORE_LEVEL = ("store__code", "store__name", "Store")


def _child_level(selection: SeriesFilter) -> tuple[str, str, str]:
    """The level one step below the selection: (field, name field, label)."""
    if selection.store is not None:
        return "sku__category__code", "sku__category__name", "Category"
    if selection.region is None and selection.sku is None:
        return "store__region__code", "store__region__name", "Region"
    return STORE_LEVEL


def _forecast_by(
    scope: Scope, selection: SeriesFilter, origin, field: str, name_field: str
) -> list:
    """The forecast of ``origin`` per child member, largest first; from the summary cells
    when they hold it (a cell's category is its SKUs' category)."""
    if _summed(selection, origin):
        cells_field, cells_name = (f.removeprefix("sku__") for f in (field, name_field))
        rows = (
            _cells(ForecastCell, scope, selection)
            .filter(granularity=selection.granularity, origin=origin)
            .values(cells_field, cells_name)
            .annotate(total=Sum("forecast"))
            .order_by("-total")
        )
        return [
            {field: r[cells_field], name_field: r[cells_name], "total": r["total"]} for r in rows
        ]
    return list(
        _facts(Forecast, scope, selection)
        .filter(granularity=selection.granularity, origin=origin)
        .values(field, name_field)
        .annotate(total=Sum("forecast"))
        .order_by("-total")
    )


def aggregate_breakdown(*, scope, selection: SeriesFilter) -> dict:
    """For a sum of series: the forecast total split into its children (the parts add up
    to the whole) and the mix of models the series use."""
    origin = latest_origin(selection.granularity)
    field, name_field, label = _child_level(selection)
    children: list[dict] = []
    total = 0.0
    if origin is not None:
        rows = _forecast_by(scope, selection, origin, field, name_field)
        if len(rows) == 1 and label == "Region":
            # One region in scope: its stores say more than a one-line table.
            field, name_field, label = STORE_LEVEL
            rows = _forecast_by(scope, selection, origin, field, name_field)
        total = sum(r["total"] for r in rows)
        children = [
            {"code": r[field], "name": r[name_field], "forecast": r["total"]}
            for r in rows[:CHILDREN_SHOWN]
        ]
        rest = rows[CHILDREN_SHOWN:]
        if rest:
            children.append(
                {
                    "code": "",
                    "name": f"{len(rest)} more",
                    "forecast": sum(r["total"] for r in rest),
                }
            )
    for child in children:
        child["share"] = child["forecast"] / total if total else None
    mix = list(
        _facts(SeriesModel, scope, selection)
        .filter(granularity=selection.granularity)
        .values("model")
        .annotate(series=Count("id"))
        .order_by("-series", "model")
    )
    count = sum(row["series"] for row in mix)
    for row in mix:
        row["share"] = row["series"] / count
    return {
        "child_label": label,
        "child_field": field.split("__")[-2],
        "children": children,
        "total": total,
        "model_mix": mix,
        "series": count,
    }
