"""Reads of stored forecasts, selections and leaderboards, always scoped to the user."""

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
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from accounts.roles import user_roles
from accounts.scoping import (
    category_subtree_ids,
    fact_scope_q,
    is_scoped,
    visible_categories,
    visible_regions,
    visible_stores,
)
from forecasting.accuracy import LEAD_BUCKETS
from forecasting.aggregation import aggregate
from forecasting.engine.classify import INTERMITTENT_CLASSES
from forecasting.engine.models import BENCHMARKS
from forecasting.history_frames import WEEK_FREQ
from forecasting.models import (
    AccuracyRecord,
    BacktestPoint,
    Forecast,
    ForecastRun,
    Granularity,
    LeaderboardEntry,
    ModelPin,
    SeriesModel,
)
from history.models import CalendarEvent, Promotion, SalesFact
from masterdata.models import SKU, Category, Region, Store

# The business target for forecast accuracy (1 − WAPE), drawn as a reference line.
ACCURACY_TARGET = 0.70

LEVEL_COLUMNS = {
    "store": ["store"],
    "region": ["region"],
    "category": ["category"],
    "warehouse": ["warehouse"],
    "total": [],
}


def _scope_q(user) -> Q:
    """The user's scope; ``None`` is the system itself (commands, schedules): everything."""
    return Q() if user is None else fact_scope_q(user)


def latest_origin(granularity: str):
    run = (
        ForecastRun.objects.filter(granularity=granularity, chunks_done__gt=0)
        .order_by("-origin", "-id")
        .first()
    )
    return run.origin if run else None


def forecast_exists(granularity: str) -> bool:
    """Whether a finished forecast run exists for ``daily``/``weekly`` (or ``D``/``W``)."""
    return latest_origin(granularity[0].upper()) is not None


def forecasts_for_user(*, user, granularity: str, origin=None) -> QuerySet[Forecast]:
    origin = origin or latest_origin(granularity)
    return Forecast.objects.filter(_scope_q(user), granularity=granularity, origin=origin)


def forecast_frame(*, user, granularity: str, origin=None) -> pd.DataFrame:
    """Series-level forecasts with their store/SKU codes and hierarchy members."""
    rows = forecasts_for_user(user=user, granularity=granularity, origin=origin).values(
        "date",
        "forecast",
        "p10",
        "p50",
        "p90",
        "model",
        "store__code",
        "sku__code",
        "store__region__code",
        "store__warehouse__code",
        "sku__category__code",
    )
    frame = pd.DataFrame(list(rows))
    if frame.empty:
        return pd.DataFrame(
            columns=[
                "date",
                "store",
                "sku",
                "region",
                "warehouse",
                "category",
                "forecast",
                "p10",
                "p50",
                "p90",
                "model",
            ]
        )
    return frame.rename(
        columns={
            "store__code": "store",
            "sku__code": "sku",
            "store__region__code": "region",
            "store__warehouse__code": "warehouse",
            "sku__category__code": "category",
        }
    )


def forecast_level_frame(*, user, granularity: str, level: str, origin=None) -> pd.DataFrame:
    """Forecasts at ``level`` (series, store, region, category, warehouse or total)."""
    frame = forecast_frame(user=user, granularity=granularity, origin=origin)
    if level == "series":
        return frame
    by = LEVEL_COLUMNS[level]
    frame = frame.fillna({column: "" for column in by})
    return aggregate(frame, by)


def selections_for_user(*, user, granularity: str) -> QuerySet[SeriesModel]:
    return SeriesModel.objects.filter(_scope_q(user), granularity=granularity)


def leaderboard_for_series(
    *, user, store_id: int, sku_id: int, granularity: str
) -> QuerySet[LeaderboardEntry]:
    return LeaderboardEntry.objects.filter(
        _scope_q(user), store_id=store_id, sku_id=sku_id, granularity=granularity
    ).order_by("rmsse")


# --- The forecast explorer, pins and the accuracy page -----------------------------------

HISTORY_DAYS = {"D": 364, "W": 728}
CHILDREN_SHOWN = 12
PROMOTIONS_SHOWN = 100
# Live accuracy figures cover this many days before the newest comparison.
LIVE_PERIOD_DAYS = 91
EXCEPTION_DAYS = 28
EXCEPTIONS_SHOWN = 12
SALES_MEASURE = Coalesce(F("quantity"), F("revenue"))


@dataclass(frozen=True)
class SeriesFilter:
    """What the explorer shows: one store × SKU series, or the sum of every series in the
    user's scope that matches all of the given members."""

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

    def query_string(self) -> str:
        params = {"granularity": self.granularity}
        for name in ("store", "sku", "category", "region"):
            member = getattr(self, name)
            if member is not None:
                params[name] = member.code
        return urlencode(params)


def _facts(model, user, selection: SeriesFilter):
    return model.objects.filter(_scope_q(user), selection.q())


def _dates(values) -> list[str]:
    return [pd.Timestamp(v).strftime("%Y-%m-%d") for v in values]


def _rounded(values) -> list[float | None]:
    return [None if pd.isna(v) else round(float(v), 2) for v in values]


def _history(user, selection: SeriesFilter, end: dt.date) -> pd.Series:
    """Actual sales per period up to ``end`` (missing periods are periods without sales);
    weekly history stops at the last full week (weeks end on Sunday)."""
    if selection.granularity == Granularity.WEEKLY:
        end = end - dt.timedelta(days=(end.weekday() + 1) % 7)
    start = end - dt.timedelta(days=HISTORY_DAYS[selection.granularity])
    rows = (
        _facts(SalesFact, user, selection)
        .filter(date__gt=start, date__lte=end)
        .values("date")
        .annotate(total=Sum(SALES_MEASURE))
        .order_by("date")
    )
    frame = pd.DataFrame.from_records(list(rows), columns=["date", "total"])
    if frame.empty:
        return pd.Series(dtype=float)
    sales = frame.set_index(pd.to_datetime(frame["date"]))["total"].astype(float)
    if selection.granularity == Granularity.WEEKLY:
        return sales.resample(WEEK_FREQ).sum()
    days = pd.date_range(pd.Timestamp(start) + pd.Timedelta(days=1), pd.Timestamp(end), freq="D")
    return sales.reindex(days, fill_value=0.0)


def _forecast_sums(user, selection: SeriesFilter, origin: dt.date) -> pd.DataFrame:
    """The forecast per date summed over the selection, with its p10–p90 band.

    One series keeps its own quantiles. A sum of series gets the band of
    ``forecasting.aggregation``: children independent and normal, each child's sigma read
    off its p10–p90 width, so the spread is ``sqrt(Σ (p90 − p10)²) / 2`` around the
    summed mean (a sum of many series is close to normal, so its median is its mean);
    computed in the database so large selections stay one query.
    """
    width = ExpressionWrapper(
        (F("p90") - F("p10")) * (F("p90") - F("p10")), output_field=FloatField()
    )
    rows = (
        _facts(Forecast, user, selection)
        .filter(granularity=selection.granularity, origin=origin)
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


def _promotions(user, selection: SeriesFilter, start: dt.date, end: dt.date) -> list[dict]:
    """Promotions that apply to the whole selection: company- or store-wide ones, and the
    selected SKU's own (per-SKU promotions of an aggregate would shade every day)."""
    promotions = Promotion.objects.filter(start_date__lte=end, end_date__gte=start)
    if selection.sku is not None:
        promotions = promotions.filter(Q(sku__isnull=True) | Q(sku=selection.sku))
    else:
        promotions = promotions.filter(sku__isnull=True)
    stores = visible_stores(user)
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


def explorer_chart(*, user, selection: SeriesFilter) -> dict:
    """Everything the explorer chart draws, summed over the selection within the user's
    scope: recent actuals, the selected models' backtest fits, the forecast and its band,
    and the promotions and calendar events over the same dates."""
    origin = latest_origin(selection.granularity)
    end = origin
    if end is None:
        end = _facts(SalesFact, user, selection).aggregate(last=Max("date"))["last"]
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
    history = _history(user, selection, end)
    chart["history"] = {"x": _dates(history.index), "y": _rounded(history.to_numpy())}
    start = end - dt.timedelta(days=HISTORY_DAYS[selection.granularity])
    fits = pd.DataFrame.from_records(
        list(
            _facts(BacktestPoint, user, selection)
            .filter(granularity=selection.granularity, date__gt=start)
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
        forecast = _forecast_sums(user, selection, origin)
        chart["forecast"] = {
            "x": _dates(forecast["date"]),
            "y": _rounded(forecast["forecast"]),
            "p10": _rounded(forecast["p10"]),
            "p90": _rounded(forecast["p90"]),
        }
        if not forecast.empty:
            last = max(forecast["date"])
    chart["promotions"] = _promotions(user, selection, start, last)
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


def series_explanation(*, user, selection: SeriesFilter) -> dict:
    """Why this series has its model: the selection, its leaderboard and any pins."""
    chosen = _facts(SeriesModel, user, selection).filter(granularity=selection.granularity).first()
    board = list(
        _facts(LeaderboardEntry, user, selection)
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


def _forecast_by(user, selection: SeriesFilter, origin, field: str, name_field: str) -> list:
    return list(
        _facts(Forecast, user, selection)
        .filter(granularity=selection.granularity, origin=origin)
        .values(field, name_field)
        .annotate(total=Sum("forecast"))
        .order_by("-total")
    )


def aggregate_breakdown(*, user, selection: SeriesFilter) -> dict:
    """For a sum of series: the forecast total split into its children (the parts add up
    to the whole) and the mix of models the series use."""
    origin = latest_origin(selection.granularity)
    field, name_field, label = _child_level(selection)
    children: list[dict] = []
    total = 0.0
    if origin is not None:
        rows = _forecast_by(user, selection, origin, field, name_field)
        if len(rows) == 1 and label == "Region":
            # One region in scope: its stores say more than a one-line table.
            field, name_field, label = STORE_LEVEL
            rows = _forecast_by(user, selection, origin, field, name_field)
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
        _facts(SeriesModel, user, selection)
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


def pin_candidates(*, granularity: str) -> list[str]:
    """Models a pin may name: every model scored in the backtests, and the benchmarks."""
    scored = (
        LeaderboardEntry.objects.filter(granularity=granularity)
        .values_list("model", flat=True)
        .distinct()
        .order_by()
    )
    return sorted(set(scored) | set(BENCHMARKS))


def pins_for_user(user) -> QuerySet[ModelPin]:
    """Pins within the user's scope: series pins of series they see; category pins of
    categories they see, only for users not narrowed by region (a category pin applies in
    every region)."""
    series = Q(category__isnull=True) & fact_scope_q(user)
    categories = Q(category__in=visible_categories(user))
    if not user_roles(user):
        return ModelPin.objects.none()
    if _region_scoped(user):
        return ModelPin.objects.filter(series)
    return ModelPin.objects.filter(series | categories)


def _region_scoped(user) -> bool:
    return visible_regions(user).count() < Region.objects.count()


def may_pin_categories(user) -> bool:
    return bool(user_roles(user)) and not _region_scoped(user)


# --- Accuracy -------------------------------------------------------------------------


@dataclass(frozen=True)
class AccuracyFilter:
    source: str
    granularity: str


def accuracy_defaults(*, user) -> AccuracyFilter:
    """The granularity and source with records: live when there are live comparisons."""
    known = set(AccuracyRecord.objects.values_list("source", "granularity").distinct().order_by())
    for source in (AccuracyRecord.Source.LIVE, AccuracyRecord.Source.BACKTEST):
        for granularity in (Granularity.DAILY, Granularity.WEEKLY):
            if (source, granularity) in known:
                return AccuracyFilter(source, granularity)
    return AccuracyFilter(AccuracyRecord.Source.BACKTEST, Granularity.DAILY)


def _allowed_keys(user, level: str) -> list[str] | None:
    """Members of ``level`` the user may see; ``None`` when they see every member."""
    if not is_scoped(user):
        return None
    regions = list(visible_regions(user).values_list("code", flat=True))
    categories = list(visible_categories(user).values_list("code", flat=True))
    if level == "region":
        return regions
    if level == "category":
        return categories
    if level == "region_category":
        return [f"{r}|{c}" for r in regions for c in categories]
    if level == "store":
        return list(visible_stores(user).values_list("code", flat=True))
    return []


def accuracy_records_for_user(
    *, user, source: str, granularity: str, level: str
) -> QuerySet[AccuracyRecord]:
    """Accuracy records of ``level`` limited to the members in the user's scope; a scoped
    planner sees no total row (it covers series outside the scope)."""
    if not user_roles(user):
        return AccuracyRecord.objects.none()
    records = AccuracyRecord.objects.filter(source=source, granularity=granularity, level=level)
    keys = _allowed_keys(user, level)
    return records if keys is None else records.filter(key__in=keys)


def _scope_total_records(user, accuracy: AccuracyFilter) -> QuerySet[AccuracyRecord]:
    """Records that add up to the user's whole scope: the total row, or for a scoped
    planner the region × category cells inside their scope."""
    level = "region_category" if is_scoped(user) else "total"
    records = accuracy_records_for_user(
        user=user, source=accuracy.source, granularity=accuracy.granularity, level=level
    )
    if accuracy.source == AccuracyRecord.Source.LIVE:
        last = records.aggregate(last=Max("evaluated_on"))["last"]
        if last is not None:
            records = records.filter(evaluated_on__gt=last - dt.timedelta(days=LIVE_PERIOD_DAYS))
    return records


SUMS = {
    "actual": Sum("actual_sum"),
    "forecast": Sum("forecast_sum"),
    "abs_error": Sum("abs_error_sum"),
    "compared": Sum("points"),
}


def _scores(row: dict) -> dict:
    """Accuracy (1 − WAPE) and bias from summed actuals, forecasts and absolute errors."""
    actual = abs(row["actual"] or 0.0)
    if not actual:
        return {**row, "wape": None, "accuracy": None, "bias": None}
    wape = row["abs_error"] / actual
    return {
        **row,
        "wape": wape,
        "accuracy": 1 - wape,
        "bias": (row["forecast"] - row["actual"]) / actual,
    }


def accuracy_overview(*, user, accuracy: AccuracyFilter) -> dict:
    """Headline, accuracy by region × category, by week and by lead time, in scope."""
    records = _scope_total_records(user, accuracy)
    period = records.aggregate(first=Min("evaluated_on"), last=Max("evaluated_on"), **SUMS)
    if not period["compared"]:
        return {"headline": None}
    headline = _scores({k: period[k] for k in SUMS})
    days = pd.DataFrame.from_records(
        list(records.values("evaluated_on").annotate(**SUMS).order_by("evaluated_on")),
        columns=["evaluated_on", *SUMS],
    )
    days["week"] = pd.to_datetime(days["evaluated_on"]).dt.to_period(WEEK_FREQ).dt.end_time
    weeks = [
        _scores(row)
        for row in days.groupby("week", as_index=False)[list(SUMS)].sum().to_dict("records")
    ]
    order = {label: i for i, (_, _, label) in enumerate(LEAD_BUCKETS[accuracy.granularity])}
    leads = sorted(
        (_scores(row) for row in records.values("lead_bucket").annotate(**SUMS).order_by()),
        key=lambda row: order.get(row["lead_bucket"], len(order)),
    )
    cells = accuracy_records_for_user(
        user=user,
        source=accuracy.source,
        granularity=accuracy.granularity,
        level="region_category",
    ).filter(evaluated_on__gte=period["first"], evaluated_on__lte=period["last"])
    heat = [_scores(row) for row in cells.values("key").annotate(**SUMS).order_by("key")]
    return {
        "headline": headline,
        "first": period["first"],
        "last": period["last"],
        "chart": {
            "target": ACCURACY_TARGET,
            "weeks": {
                "x": [w["week"].strftime("%Y-%m-%d") for w in weeks],
                "accuracy": [w["accuracy"] for w in weeks],
                "bias": [w["bias"] for w in weeks],
            },
            "leads": {
                "x": [row["lead_bucket"] for row in leads],
                "accuracy": [row["accuracy"] for row in leads],
                "bias": [row["bias"] for row in leads],
            },
            "heatmap": _heatmap(heat),
        },
    }


def _heatmap(cells: list[dict]) -> dict:
    """Accuracy by category (rows) × region (columns) for a Plotly heatmap."""
    regions = sorted({c["key"].split("|", 1)[0] for c in cells})
    categories = sorted({c["key"].split("|", 1)[-1] for c in cells})
    z = [[None] * len(regions) for _ in categories]
    for cell in cells:
        region, _, category = cell["key"].partition("|")
        z[categories.index(category)][regions.index(region)] = cell["accuracy"]
    return {"regions": regions, "categories": categories, "z": z}


def accuracy_exceptions(*, user, accuracy: AccuracyFilter) -> dict:
    """The series with the largest error and the largest bias, as tables of rows with
    store, sku, model, wape, bias and volume (actual sum)."""
    if accuracy.source == AccuracyRecord.Source.LIVE:
        frame = _live_series_errors(user, accuracy.granularity)
    else:
        frame = _backtest_series_errors(user, accuracy.granularity)
    if frame.empty:
        return {"worst_error": [], "worst_bias": []}
    frame = frame.dropna(subset=["wape"])
    frame["abs_bias"] = frame["bias"].abs()
    worst_error = frame.nlargest(EXCEPTIONS_SHOWN, "wape")
    worst_bias = frame.nlargest(EXCEPTIONS_SHOWN, "abs_bias")
    return {
        "worst_error": _with_names(worst_error),
        "worst_bias": _with_names(worst_bias),
    }


def _with_names(frame: pd.DataFrame) -> list[dict]:
    stores = dict(Store.objects.filter(id__in=frame["store_id"]).values_list("id", "code"))
    skus = {
        row["id"]: row
        for row in SKU.objects.filter(id__in=frame["sku_id"]).values("id", "code", "name")
    }
    rows = []
    for row in frame.to_dict("records"):
        sku = skus[row["sku_id"]]
        rows.append(
            {
                "store": stores[row["store_id"]],
                "sku": sku["code"],
                "sku_name": sku["name"],
                "model": row["model"],
                "wape": row["wape"],
                "bias": row["bias"],
                "volume": row.get("volume"),
            }
        )
    return rows


def _backtest_series_errors(user, granularity: str) -> pd.DataFrame:
    """Backtest WAPE and bias of each series' selected model."""
    selected = SeriesModel.objects.filter(
        store=OuterRef("store"), sku=OuterRef("sku"), granularity=granularity
    ).values("model")[:1]
    rows = (
        LeaderboardEntry.objects.filter(_scope_q(user), granularity=granularity)
        .filter(model=Subquery(selected))
        .values("store_id", "sku_id", "model", "wape", "bias")
    )
    return pd.DataFrame.from_records(
        list(rows), columns=["store_id", "sku_id", "model", "wape", "bias"]
    )


def _live_series_errors(user, granularity: str) -> pd.DataFrame:
    """Stored forecasts against actuals over the last four weeks with actuals, per series.

    One origin is compared: the newest whose forecast covers the whole four weeks (or the
    oldest stored, when forecasting started less than four weeks ago).
    """
    last = AccuracyRecord.objects.filter(
        source=AccuracyRecord.Source.LIVE, granularity=granularity
    ).aggregate(last=Max("evaluated_on"))["last"]
    columns = ["store_id", "sku_id", "model", "wape", "bias", "volume"]
    if last is None:
        return pd.DataFrame(columns=columns)
    start = last - dt.timedelta(days=EXCEPTION_DAYS - 1)
    origins = Forecast.objects.filter(granularity=granularity)
    origin = origins.filter(origin__lt=start).aggregate(o=Max("origin"))["o"]
    origin = origin or origins.filter(origin__lt=last).aggregate(o=Min("origin"))["o"]
    if origin is None:
        return pd.DataFrame(columns=columns)
    forecasts = pd.DataFrame.from_records(
        list(
            Forecast.objects.filter(
                _scope_q(user),
                granularity=granularity,
                origin=origin,
                date__gte=start,
                date__lte=last,
            ).values("store_id", "sku_id", "date", "forecast", "model")
        ),
        columns=["store_id", "sku_id", "date", "forecast", "model"],
    )
    if forecasts.empty:
        return pd.DataFrame(columns=columns)
    actuals = pd.DataFrame.from_records(
        list(
            SalesFact.objects.filter(
                _scope_q(user), date__gte=start - dt.timedelta(days=6), date__lte=last
            )
            .values("store_id", "sku_id", "date")
            .annotate(actual=Sum(SALES_MEASURE))
            .order_by()
        ),
        columns=["store_id", "sku_id", "date", "actual"],
    )
    forecasts["date"] = pd.to_datetime(forecasts["date"])
    actuals["date"] = pd.to_datetime(actuals["date"])
    if granularity == Granularity.WEEKLY:
        actuals["date"] = actuals["date"].dt.to_period(WEEK_FREQ).dt.end_time.dt.normalize()
        actuals = actuals.groupby(["store_id", "sku_id", "date"], as_index=False)["actual"].sum()
    points = forecasts.merge(actuals, on=["store_id", "sku_id", "date"], how="left")
    points["actual"] = points["actual"].fillna(0.0).astype(float)
    points["error"] = points["forecast"] - points["actual"]
    points["abs_error"] = points["error"].abs()
    series = points.groupby(["store_id", "sku_id"], as_index=False).agg(
        model=("model", "last"),
        volume=("actual", "sum"),
        abs_error=("abs_error", "sum"),
        error=("error", "sum"),
    )
    scale = series["volume"].abs().replace(0, np.nan)
    series["wape"] = series["abs_error"] / scale
    series["bias"] = series["error"] / scale
    return series[columns]


def forecast_rows_for_user(*, user) -> QuerySet[Forecast]:
    """Every stored forecast row in the user's scope, of any origin (look-ups by id)."""
    return Forecast.objects.filter(_scope_q(user)).select_related("store", "sku")


def selections_all_for_user(*, user) -> QuerySet[SeriesModel]:
    """Every model selection in the user's scope, of both granularities (look-ups by id)."""
    return SeriesModel.objects.filter(_scope_q(user)).select_related("store", "sku")
