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
from forecasting.engine.classify import INTERMITTENT_CLASSES
from forecasting.engine.granularity import granularity_of
from forecasting.history_frames import company_granularity
from forecasting.models import (
    BacktestPoint,
    Forecast,
    LeaderboardEntry,
    ModelPin,
    SeriesModel,
)
from forecasting.selectors import SALES_MEASURE, latest_origin, scope_q
from forecasting.summaries import (
    ActualsCell,
    BacktestCell,
    ForecastCell,
    forecast_cells_ready,
)
from history.models import CalendarEvent, Promotion, SalesFact
from masterdata.models import SKU, Category, Region, Store

# The explorer shows a year of history: 52 periods keep the weekday (daily) or the week.
HISTORY_PERIODS = 52


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


def _history(scope: Scope, selection: SeriesFilter, end: dt.date, *, summed: bool) -> pd.Series:
    """Actual sales per period up to ``end`` (missing periods are periods without sales);
    weekly history stops at the last full week. From the actuals cells when ``summed``."""
    grain = company_granularity(selection.granularity)
    end = grain.last_complete_period(pd.Timestamp(end)).date()
    start = end - HISTORY_PERIODS * grain.period
    if summed:
        days = _cells(ActualsCell, scope, selection).values("date").annotate(total=Sum("actual"))
    else:
        days = _facts(SalesFact, scope, selection).values("date").annotate(total=Sum(SALES_MEASURE))
    rows = days.filter(date__gt=start, date__lte=end).order_by("date")
    frame = pd.DataFrame.from_records(list(rows), columns=["date", "total"])
    if frame.empty:
        return pd.Series(dtype=float)
    sales = frame.set_index(pd.to_datetime(frame["date"]))["total"].astype(float)
    if grain.is_weekly:
        return sales.resample(grain.freq).sum()
    days = pd.date_range(pd.Timestamp(start) + pd.Timedelta(days=1), pd.Timestamp(end), freq="D")
    return sales.reindex(days, fill_value=0.0)


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


def explorer_chart(*, scope, selection: SeriesFilter) -> dict:
    """Everything the explorer chart draws, summed over the selection within the
    scope: recent actuals, the selected models' backtest fits, the forecast and its band,
    and the promotions and calendar events over the same dates."""
    origin = latest_origin(selection.granularity)
    end = origin
    if end is None:
        end = _facts(SalesFact, scope, selection).aggregate(last=Max("date"))["last"]
    chart: dict = {
        "granularity": selection.granularity,
        "origin": origin.isoformat() if origin else None,
        "history": {"x": [], "y": []},
        "backtest": {"x": [], "y": [], "actual": []},
        "forecast": {"x": [], "y": [], "p10": [], "p90": []},
        "promotions": [],
        "events": [],
    }
    if end is None:
        return chart
    summed = _summed(selection, origin)
    history = _history(scope, selection, end, summed=summed)
    chart["history"] = {"x": _dates(history.index), "y": _rounded(history.to_numpy())}
    start = end - HISTORY_PERIODS * granularity_of(selection.granularity).period
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
    last = end
    if origin is not None:
        forecast = _forecast_sums(scope, selection, origin, summed=summed)
        chart["forecast"] = {
            "x": _dates(forecast["date"]),
            "y": _rounded(forecast["forecast"]),
            "p10": _rounded(forecast["p10"]),
            "p90": _rounded(forecast["p90"]),
        }
        if not forecast.empty:
            last = max(forecast["date"])
    chart["promotions"] = _promotions(scope, selection, start, last)
    chart["events"] = _events(selection, start, last)
    return chart


def ranking_metric(demand_class: str) -> str:
    """The error that ranks candidates, as in the engine: MASE for intermittent or lumpy
    demand (RMSSE's squares reward forecasting zero), RMSSE otherwise."""
    return "mase" if demand_class in INTERMITTENT_CLASSES else "rmsse"


def _leaderboard_rows(board: list[dict], selected: str | None, metric: str) -> list[dict]:
    """Candidates best first by ``metric`` (unscored last), each with what pinning it would
    cost (its error minus the best); seasonal naive is always listed, scored or not."""
    board = sorted(board, key=lambda r: (r[metric] is None, r[metric] or 0.0, r["model"]))
    scored = [r[metric] for r in board if r[metric] is not None]
    best = min(scored) if scored else None
    if not any(r["model"] == "seasonal_naive" for r in board):
        board.append(
            {"model": "seasonal_naive", "rmsse": None, "mase": None, "wape": None, "bias": None}
        )
    for row in board:
        row["selected"] = row["model"] == selected
        row["cost"] = None if row[metric] is None or best is None else row[metric] - best
    return board


def series_explanation(*, scope, selection: SeriesFilter) -> dict:
    """Why this series has its model: the selection, its leaderboard and any pins."""
    chosen = _facts(SeriesModel, scope, selection).filter(granularity=selection.granularity).first()
    board = list(
        _facts(LeaderboardEntry, scope, selection)
        .filter(granularity=selection.granularity)
        .values("model", "rmsse", "mase", "wape", "bias")
    )
    metric = ranking_metric(chosen.demand_class if chosen else "")
    rows = _leaderboard_rows(board, chosen.model if chosen else None, metric)
    pins = ModelPin.objects.filter(granularity=selection.granularity)
    series_pin = pins.filter(store=selection.store, sku=selection.sku).first()
    category_pin = pins.filter(category_id=selection.sku.category_id).first()
    active_pin = series_pin or category_pin
    costs = {row["model"]: row["cost"] for row in rows}
    return {
        "selection": chosen,
        "metric": metric,
        "leaderboard": rows,
        "series_pin": series_pin,
        "category_pin": category_pin,
        "active_pin": active_pin,
        "pin_cost": costs.get(active_pin.model) if active_pin else None,
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
