"""Correct a systematic bias of the total, measured on the backtest.

Per-series models that each look fine can share a bias: every series a little low before a
peak, or a global model shrinking towards the mean. Planners read totals first, so a total
that runs low in every backtest window is scaled up (and one that runs high, down) by the
smallest correction every window agrees on. Where windows disagree about the direction
there is nothing systematic to correct and the forecast is left alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# A correction beyond this is not a bias to trim but a broken forecast: do not hide it.
MAX_CORRECTION = 1.25


def level_factor(backtest_fits: pd.DataFrame) -> float:
    """The factor that removes the total's bias common to every backtest window (1: none).

    ``backtest_fits`` holds the selected forecast's ``window, forecast, actual`` rows. Each
    window's ratio actual/forecast of the totals must lie on the same side of 1; the one
    nearest to 1 is returned, within 1/``MAX_CORRECTION`` … ``MAX_CORRECTION``.
    """
    if backtest_fits.empty or backtest_fits["window"].nunique() < 2:
        return 1.0
    totals = backtest_fits.groupby("window")[["forecast", "actual"]].sum()
    if (totals["forecast"] <= 0).any() or (totals["actual"] <= 0).any():
        return 1.0
    log_ratio = np.log(totals["actual"] / totals["forecast"]).to_numpy()
    if not ((log_ratio > 0).all() or (log_ratio < 0).all()):
        return 1.0
    nearest = log_ratio[np.abs(log_ratio).argmin()]
    return float(np.clip(np.exp(nearest), 1 / MAX_CORRECTION, MAX_CORRECTION))
