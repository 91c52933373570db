"""Holdout evaluation: how the automatic selection and every single model would have done.

The last ``horizon`` periods of every series are held out. The whole pipeline (its own
rolling-origin backtest with ``windows`` windows, selection, refit) runs on the rest, and so
does each candidate on its own; all are then scored on the held-out actuals. Nothing after
the cut-off is seen, except drivers known in advance (planned promotions, events, prices).
A candidate that does not cover a series (ETS on too-short series, TSB outside intermittent
demand) uses seasonal naive there, so every row of the table covers every series.
The selection's prediction band (its lowest to highest quantile, p10–p90 by default) is
scored too: the share of held-out actuals inside it, overall and per demand class.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .backtest import default_candidates, make_task
from .frames import drop_last_periods
from .granularity import Granularity
from .guardrails import run_candidates
from .intervals import quantile_column
from .metrics import naive_scales
from .missing import fill_missing
from .pipeline import PipelineConfig, run_forecast_pipeline

SELECTION = "selection"
ALL_SERIES = "all"


@dataclass
class HoldoutEvaluation:
    """``table``: one row per model and for the selection — series covered, wape, accuracy,
    bias, mase (mean over series), seconds. ``beats_seasonal_naive``: share of series whose
    selected forecast has a lower absolute error than seasonal naive's on the holdout.
    ``coverage``: the selection's band on the holdout, one row for all series (``all``) and
    one per demand class — series, points, coverage (share of actuals inside the band,
    ends included), width (band width summed over points relative to the summed point
    forecast); ``band`` names its two quantile columns."""

    table: pd.DataFrame
    beats_seasonal_naive: float
    series: int
    holdout_start: pd.Timestamp
    holdout_end: pd.Timestamp
    strategies: dict[str, int]
    coverage: pd.DataFrame
    band: tuple[str, str]


def _score(points: pd.DataFrame, scales: pd.Series) -> dict[str, float]:
    error = points["forecast"] - points["actual"]
    denominator = points["actual"].abs().sum()
    wape = float(error.abs().sum() / denominator) if denominator else float("nan")
    mae = error.abs().groupby(points["series_id"]).mean()
    return {
        "wape": wape,
        "accuracy": 1 - wape,
        "bias": float(error.sum() / denominator) if denominator else float("nan"),
        "mase": float((mae / scales.reindex(mae.index)).mean()),
    }


def band_coverage(
    points: pd.DataFrame, demand_class: pd.Series, low: str = "p10", high: str = "p90"
) -> pd.DataFrame:
    """Coverage and relative width of the ``low``–``high`` band, overall and per class.

    ``points``: series_id, forecast, actual and the two band columns; ``demand_class`` maps
    series_id to its class. An actual on a band end counts as inside (count data: p90 = 3
    covers a sale of 3).
    """
    frame = points.assign(
        demand_class=points["series_id"].map(demand_class).fillna("unclassified"),
        inside=(points["actual"] >= points[low]) & (points["actual"] <= points[high]),
        width=points[high] - points[low],
    )

    def summary(part: pd.DataFrame) -> dict[str, float]:
        level = part["forecast"].abs().sum()
        return {
            "series": part["series_id"].nunique(),
            "points": len(part),
            "coverage": float(part["inside"].mean()) if len(part) else float("nan"),
            "width": float(part["width"].sum() / level) if level else float("nan"),
        }

    rows = {ALL_SERIES: summary(frame)}
    for name, part in frame.groupby("demand_class", sort=True):
        rows[str(name)] = summary(part)
    return pd.DataFrame(rows).T.astype(float)


def holdout_evaluation(
    history: pd.DataFrame,
    horizon: int,
    granularity: Granularity,
    windows: int,
    prophet_max_series: int = 3,
    arima_max_series: int = 10,
) -> HoldoutEvaluation:
    """Evaluate the selection and each candidate on the last ``horizon`` periods.

    Raises ``ValueError`` when no series is long enough to be held out and still backtested.
    """
    history = history.sort_values(["series_id", "ds"], kind="stable").reset_index(drop=True)
    train = drop_last_periods(history, horizon)
    train = train[train.groupby("series_id")["ds"].transform("size") > 2 * horizon]
    if train.empty:
        raise ValueError(
            f"No series has more than {2 * horizon} periods of history before the "
            f"{horizon} held-out periods; hold out fewer periods or choose a later date."
        )
    known = set(train["series_id"].unique())
    holdout = history[history["series_id"].isin(known)].merge(
        train[["series_id", "ds"]], how="left", indicator=True
    )
    holdout = holdout.loc[holdout["_merge"] == "left_only", ["series_id", "ds", "y"]]
    # Missing periods (y NaN, see .missing) are not scored; candidates see them imputed.
    holdout = holdout.rename(columns={"y": "actual"}).dropna(subset=["actual"])
    drivers = history.drop(columns="y")
    filled = fill_missing(train, granularity)
    scales = naive_scales(filled, granularity.season)["mase_scale"]

    started = time.perf_counter()
    config = PipelineConfig(
        granularity=granularity,
        horizon=horizon,
        windows=windows,
        prophet_max_series=prophet_max_series,
        arima_max_series=arima_max_series,
    )
    result = run_forecast_pipeline(train, config, future_exog=drivers)
    rows = {
        SELECTION: {
            **_score(result.forecasts.merge(holdout, on=["series_id", "ds"]), scales),
            "series": len(known),
            "seconds": time.perf_counter() - started,
        }
    }

    task = make_task(filled, horizon, granularity, drivers)
    run = run_candidates(
        task,
        default_candidates(
            prophet_max_series=prophet_max_series, arima_max_series=arima_max_series
        ),
    )
    snaive = run.forecasts[run.forecasts["model"] == "seasonal_naive"][
        ["series_id", "ds", "forecast"]
    ].rename(columns={"forecast": "fallback"})
    for model, part in run.forecasts.groupby("model"):
        full = snaive.merge(
            part[["series_id", "ds", "forecast"]], on=["series_id", "ds"], how="left"
        )
        full["forecast"] = full["forecast"].fillna(full["fallback"])
        rows[model] = {
            **_score(full.merge(holdout, on=["series_id", "ds"]), scales),
            "series": part["series_id"].nunique(),
            "seconds": run.timings.get(model, float("nan")),
        }

    selected = result.forecasts.merge(holdout, on=["series_id", "ds"])
    naive = snaive.merge(holdout, on=["series_id", "ds"])
    selected_mae = (
        (selected["forecast"] - selected["actual"]).abs().groupby(selected["series_id"]).mean()
    )
    naive_mae = (naive["fallback"] - naive["actual"]).abs().groupby(naive["series_id"]).mean()
    common = selected_mae.index.intersection(naive_mae.index)
    beats = (
        float(np.mean(selected_mae[common] < naive_mae[common])) if len(common) else float("nan")
    )

    quantiles = sorted(config.quantiles)
    band = (quantile_column(quantiles[0]), quantile_column(quantiles[-1]))
    classes = result.selection.set_index("series_id")["demand_class"]
    coverage = band_coverage(selected, classes, *band)

    table = pd.DataFrame(rows).T[["series", "wape", "accuracy", "bias", "mase", "seconds"]]
    table = table.astype(float).sort_values("wape")
    return HoldoutEvaluation(
        table=table,
        beats_seasonal_naive=beats,
        series=len(known),
        holdout_start=holdout["ds"].min(),
        holdout_end=holdout["ds"].max(),
        strategies=result.selection["strategy"].value_counts().to_dict()
        if "strategy" in result.selection
        else {},
        coverage=coverage,
        band=band,
    )
