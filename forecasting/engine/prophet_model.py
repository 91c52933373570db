"""Prophet with price, promotion and event regressors, fitted on a few chosen series only.

Prophet is slow (a Stan fit per series), so it runs only where it can win: series with at
least two seasons of history and the strongest calendar/promotion signal, measured as the
share of variance explained by season position and exogenous flags.  ``max_series`` caps the
number of fits per call.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from .frames import exog_columns
from .models import Candidate, ForecastTask


def _signal_strength(history: pd.DataFrame, season: int) -> pd.Series:
    """R²-like score: variance explained by season position plus exogenous-flag means."""
    h = history.copy()
    h["pos"] = h.groupby("series_id").cumcount() % season
    total = h.groupby("series_id")["y"].var()
    explained = h.groupby(["series_id", "pos"])["y"].mean().groupby(level=0).var()
    score = explained / total.where(total > 0)
    for flag in ("on_promotion", "event"):
        if flag in h.columns:
            lift = h.groupby(["series_id", h[flag] > 0])["y"].mean().unstack()
            if True in lift.columns and False in lift.columns:
                rel = (lift[True] - lift[False]).abs() / np.sqrt(total.where(total > 0))
                score = score.add(rel.fillna(0.0), fill_value=0.0)
    return score.fillna(0.0)


def choose_prophet_series(task: ForecastTask, max_series: int) -> np.ndarray:
    """Series with ≥ 2 seasons (daily: ≥ 1 year) of history and the strongest signal."""
    if max_series <= 0:
        return np.array([], dtype=object)
    need = 2 * task.season if task.season > 24 else 365
    counts = task.history.groupby("series_id").size()
    long_enough = counts[counts >= need].index
    hist = task.history[task.history["series_id"].isin(long_enough)]
    if hist.empty:
        return np.array([], dtype=object)
    score = _signal_strength(hist, task.season)
    return score.nlargest(max_series).index.to_numpy()


def prophet_predict(task: ForecastTask) -> pd.DataFrame:
    """Fit one Prophet per series with every exogenous column as an additive regressor."""
    from prophet import Prophet

    logging.getLogger("cmdstanpy").setLevel(logging.WARNING)
    logging.getLogger("prophet").setLevel(logging.WARNING)
    exog = [c for c in exog_columns(task.history) if c in task.future.columns]
    daily = task.season <= 24
    parts = []
    for sid, hist in task.history.groupby("series_id", sort=True):
        fut = task.future[task.future["series_id"] == sid]
        regs = [c for c in exog if hist[c].nunique() > 1]
        model = Prophet(
            weekly_seasonality=daily,
            daily_seasonality=False,
            # Two full years, as Prophet itself asks, before a yearly cycle is identifiable.
            yearly_seasonality=(hist["ds"].max() - hist["ds"].min()).days >= 730,
            uncertainty_samples=0,
        )
        for c in regs:
            model.add_regressor(c)
        model.fit(hist[["ds", "y", *regs]])
        pred = model.predict(fut[["ds", *regs]])
        parts.append(
            pd.DataFrame(
                {"series_id": sid, "ds": fut["ds"].to_numpy(), "forecast": pred["yhat"].to_numpy()}
            )
        )
    if not parts:
        return pd.DataFrame(columns=["series_id", "ds", "forecast"])
    return pd.concat(parts, ignore_index=True)


def prophet_candidates(max_series: int = 10) -> list[Candidate]:
    """Prophet on at most ``max_series`` series per call (0 disables it)."""
    if max_series <= 0:
        return []
    return [
        Candidate("prophet", prophet_predict, lambda task: choose_prophet_series(task, max_series))
    ]
