"""Why a series has its model, in figures and in words: the explorer's explanation panel.

The leaderboard opens with the current selection — one model or a blend — and its backtest
error, then lists every scored candidate best first by the ranking metric, each with what
pinning it would cost against the current selection. A candidate that forecast nothing at
all in the backtest (WAPE 100 %, bias −100 % on a series that sold) can rank first on
MASE, which scores a zero forecast of sporadic demand well; it is listed last and never
called the best. The reasons (demand class, strategy, fallback, pin) are sentences a
planner reads without knowing the engine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Q

from accounts.scoping import Scope
from forecasting.engine.blend import Blend
from forecasting.engine.classify import ADI_CUTOFF, CV2_CUTOFF, INTERMITTENT_CLASSES
from forecasting.models import BacktestPoint, LeaderboardEntry, ModelPin, SeriesModel
from masterdata.models import SKU, Store

MODEL_LABELS = {
    "arima": "ARIMA",
    "croston": "Croston",
    "croston_sba": "Croston (SBA)",
    "ets": "ETS",
    "lightgbm": "LightGBM",
    "moving_average": "Moving average",
    "naive": "Naive",
    "prophet": "Prophet",
    "seasonal_naive": "Seasonal naive",
    "seasonal_naive_yoy": "Seasonal naive (year-over-year)",
    "tsb": "TSB",
}


@dataclass(frozen=True)
class ErrorColumn:
    """A backtest error the leaderboard shows: the ``LeaderboardEntry`` field it reads, its
    header, how it is written (``ratio``, ``percent`` or ``signed_percent``) and a hint."""

    key: str
    label: str
    kind: str
    hint: str


# The leaderboard's error columns, in order. A column the stored leaderboard gains (say a
# seasonal window's error) is one more entry here; fields the model lacks are skipped.
ERROR_COLUMNS = (
    ErrorColumn("wape", "WAPE", "percent", "Σ|forecast − actual| / Σ actual over the backtest"),
    ErrorColumn("mase", "MASE", "ratio", "mean absolute error / a naive forecast's (< 1 beats it)"),
    ErrorColumn("rmsse", "RMSSE", "ratio", "root mean squared error, scaled like MASE"),
    ErrorColumn("bias", "Bias", "signed_percent", "Σ(forecast − actual) / Σ actual"),
    ErrorColumn("seasonal_wape", "Seasonal window", "percent", "WAPE over the last season"),
)

STRATEGY_WORDS = {
    "global": (
        "Chosen for all series together: on the backtest, using {label} for every series it "
        "covers gave the lowest pooled WAPE of the strategies tried."
    ),
    "per_series_best": "This series' own best candidate by {metric} in the backtest.",
    "per_series_combo": (
        "An equal mix of this series' best candidates by {metric}: on held-out backtest "
        "windows such mixes beat single models across the series."
    ),
    "too short to backtest": (
        "Too little history to backtest the candidates, so the best simple benchmark is used."
    ),
}

DEMAND_WORDS = {
    "smooth": "Smooth demand: it sells in most periods, in steady amounts.",
    "erratic": "Erratic demand: it sells in most periods, but the amounts vary a lot.",
    "intermittent": "Intermittent demand: periods with sales are sparse, amounts are steady.",
    "lumpy": "Lumpy demand: periods with sales are sparse and the amounts vary a lot.",
}

# A backtest forecast of zero scores WAPE 1 and bias −1 exactly; allow for float noise.
_ZERO_TOLERANCE = 1e-6


def error_columns() -> list[ErrorColumn]:
    """The error columns the stored leaderboard has today."""
    fields = {field.name for field in LeaderboardEntry._meta.get_fields()}
    return [column for column in ERROR_COLUMNS if column.key in fields]


def model_label(name: str) -> str:
    """A model's name for people: ``lightgbm`` → "LightGBM", ``combo:ets+lightgbm`` →
    "Blend of ETS + LightGBM"."""
    blend = Blend.from_name(name)
    if not blend.is_single:
        return "Blend of " + " + ".join(model_label(m) for m in blend.models)
    return MODEL_LABELS.get(name, name.replace("_", " ").capitalize())


def blend_label(blend: Blend) -> str:
    """ "ETS" for one model; "Blend: ETS 75 % + LightGBM 25 %" for a blend."""
    if blend.is_single:
        return model_label(blend.models[0])
    shares = " + ".join(f"{model_label(m)} {share} %" for m, share in blend.shares())
    return f"Blend: {shares}"


def ranking_metric(demand_class: str) -> str:
    """The error that ranks candidates, as in the engine: MASE for intermittent or lumpy
    demand (RMSSE's squares reward forecasting zero), RMSSE otherwise."""
    return "mase" if demand_class in INTERMITTENT_CLASSES else "rmsse"


def _number(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def forecast_nothing(row: dict) -> bool:
    """Whether a candidate forecast zero throughout a backtest in which the series sold."""
    wape, bias = _number(row.get("wape")), _number(row.get("bias"))
    return (
        wape is not None
        and bias is not None
        and abs(wape - 1) < _ZERO_TOLERANCE
        and abs(bias + 1) < _ZERO_TOLERANCE
    )


def _selection_errors(store: Store, sku: SKU, chosen: SeriesModel, board: dict) -> dict:
    """The current selection's backtest errors: a single model's leaderboard row; for a
    blend, WAPE and bias of its stored backtest fits (MASE and RMSSE are scored per model)."""
    blend = chosen.chosen
    if blend.is_single and blend.models[0] in board:
        return dict(board[blend.models[0]])
    fits = BacktestPoint.objects.filter(
        store=store, sku=sku, granularity=chosen.granularity
    ).values_list("forecast", "actual")
    error = signed = volume = 0.0
    for forecast, actual in fits:
        error += abs(forecast - actual)
        signed += forecast - actual
        volume += abs(actual)
    return {
        "wape": error / volume if volume else None,
        "bias": signed / volume if volume else None,
    }


def _row(model: str, label: str, errors: dict, columns: list[ErrorColumn]) -> dict:
    return {
        "model": model,
        "label": label,
        "cells": [(errors.get(column.key), column.kind) for column in columns],
        **{column.key: _number(errors.get(column.key)) for column in columns},
    }


def leaderboard_rows(
    board: list[dict], chosen: SeriesModel | None, metric: str, selection_errors: dict
) -> list[dict]:
    """The current selection first, then the candidates best first by ``metric`` (unscored
    and forecast-nothing ones last), each with its cost against the current selection in
    WAPE points; seasonal naive is always listed, scored or not."""
    columns = error_columns()
    rows: list[dict] = []
    selected_model = None
    if chosen is not None:
        selected_model = chosen.model
        current = _row(chosen.model, blend_label(chosen.chosen), selection_errors, columns)
        current.update(current=True, best=False, nothing=False, cost=0.0, pinnable=False)
        rows.append(current)
    candidates = [entry for entry in board if entry["model"] != selected_model]
    if not any(entry["model"] == "seasonal_naive" for entry in board):
        candidates.append({"model": "seasonal_naive"})
    for entry in candidates:
        entry["nothing"] = forecast_nothing(entry)
        entry["score"] = _number(entry.get(metric))
    candidates.sort(key=lambda e: (e["score"] is None, e["nothing"], e["score"] or 0.0, e["model"]))
    plausible = [e["score"] for e in candidates if e["score"] is not None and not e["nothing"]]
    if chosen is not None and selection_errors.get(metric) is not None:
        plausible.append(float(selection_errors[metric]))
    best = min(plausible) if plausible else None
    base = _number(selection_errors.get("wape"))
    for entry in candidates:
        row = _row(entry["model"], model_label(entry["model"]), entry, columns)
        wape = _number(entry.get("wape"))
        row.update(
            current=False,
            nothing=entry["nothing"],
            best=best is not None and not entry["nothing"] and entry["score"] == best,
            cost=None if wape is None or base is None else wape - base,
            pinnable=entry["score"] is not None,
        )
        rows.append(row)
    if rows and rows[0]["current"] and best is not None:
        rows[0]["best"] = _number(selection_errors.get(metric)) == best
    return rows


def _demand_sentence(chosen: SeriesModel) -> str:
    words = DEMAND_WORDS.get(chosen.demand_class, "")
    adi, cv2 = _number(chosen.adi), _number(chosen.cv2)
    if adi is None or cv2 is None:
        return words
    interval = "never sold" if math.isinf(adi) else f"ADI {adi:.2f}"
    adi_side = "≥" if adi >= ADI_CUTOFF else "<"
    cv2_side = "≥" if cv2 >= CV2_CUTOFF else "<"
    return (
        f"{words} ({interval} {adi_side} {ADI_CUTOFF}: "
        f"{'sparse' if adi >= ADI_CUTOFF else 'regular'} sales; "
        f"CV² {cv2:.2f} {cv2_side} {CV2_CUTOFF}: "
        f"{'varying' if cv2 >= CV2_CUTOFF else 'steady'} amounts.)"
    )


def reasons(chosen: SeriesModel, metric: str, active_pin: ModelPin | None) -> list[str]:
    """The reasons for the current selection, in plain words."""
    out = []
    demand = _demand_sentence(chosen)
    if demand:
        out.append(demand)
    ranking = (
        "Candidates are ranked by MASE, which does not reward forecasting zero for sparse demand."
        if metric == "mase"
        else "Candidates are ranked by RMSSE, which weighs large misses most."
    )
    out.append(ranking)
    if chosen.pinned:
        out.append(
            f"Pinned by a planner: {model_label(chosen.model)} is used whatever the backtest says."
        )
    else:
        template = STRATEGY_WORDS.get(chosen.strategy)
        if template:
            out.append(template.format(label=blend_label(chosen.chosen), metric=metric.upper()))
        out.append("Chosen automatically: no pin applied at the last run.")
    if not chosen.chosen.is_single:
        out.append("A blend's weights were fitted on the backtest windows.")
    if chosen.fallback_reason:
        out.append(
            f"Fallback: {chosen.fallback_reason}. The best simple benchmark forecasts what "
            "the chosen model could not."
        )
    if active_pin is not None and active_pin.model != chosen.model:
        out.append(
            f"{model_label(active_pin.model)} is pinned since the last run: it applies from "
            "the next forecast run."
        )
    return out


def _pins(store: Store, sku: SKU, granularity: str):
    """The series' own pin and its category's (shown even to a planner who may not change
    a category pin: it decides their series' model)."""
    pins = ModelPin.objects.filter(
        Q(store=store, sku=sku) | Q(category_id=sku.category_id), granularity=granularity
    )
    series_pin = category_pin = None
    for pin in pins.select_related("category"):
        if pin.category_id is None:
            series_pin = pin
        else:
            category_pin = pin
    return series_pin, category_pin


def series_explanation(*, scope: Scope, store: Store, sku: SKU, granularity: str) -> dict:
    """Why this series has its model: the selection, its leaderboard, reasons and pins."""
    series = {"store": store, "sku": sku, "granularity": granularity}
    chosen = SeriesModel.objects.visible_to(scope).filter(**series).first()
    board_rows = list(
        LeaderboardEntry.objects.visible_to(scope)
        .filter(**series)
        .values("model", *(column.key for column in error_columns()))
    )
    board = {row["model"]: row for row in board_rows}
    metric = ranking_metric(chosen.demand_class if chosen else "")
    errors = _selection_errors(store, sku, chosen, board) if chosen else {}
    rows = leaderboard_rows(board_rows, chosen, metric, errors)
    series_pin, category_pin = _pins(store, sku, granularity)
    active_pin = series_pin or category_pin
    pin_cost = None
    if active_pin is not None and chosen is not None and active_pin.model != chosen.model:
        pin_cost = next((row["cost"] for row in rows if row["model"] == active_pin.model), None)
    return {
        "selection": chosen,
        "selection_label": blend_label(chosen.chosen) if chosen else "",
        "metric": metric,
        "columns": error_columns(),
        "leaderboard": rows,
        "reasons": reasons(chosen, metric, active_pin) if chosen else [],
        "series_pin": series_pin,
        "category_pin": category_pin,
        "active_pin": active_pin,
        "pin_in_effect": active_pin is not None
        and chosen is not None
        and chosen.pinned
        and active_pin.model == chosen.model,
        "pin_cost": pin_cost,
    }
