"""Keep one series' absurd history from reaching every other series' forecast.

The global model is trained on all series of a chunk, and the strategy is chosen on their
pooled errors: one value of ``1e308`` in one series (a typing slip, a unit mix-up, an
attack) would move the forecasts of series everywhere. A series whose history holds a
non-finite value, or a value more than ``ABSURD_FACTOR`` times its own typical level
(the 90th percentile of its absolute values, at least 1), is flagged. The pipeline then
forecasts it on its own, from benchmarks only, with the absurd values replaced by its median;
the reason is recorded as its fallback reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ABSURD_FACTOR = 1e5
TYPICAL_QUANTILE = 0.9


def _absurd_rows(history: pd.DataFrame) -> np.ndarray:
    """Boolean mask of history rows that are non-finite or absurd for their series."""
    y = history["y"].to_numpy(float)
    with np.errstate(invalid="ignore", over="ignore"):
        magnitude = np.abs(y)
    absurd = ~np.isfinite(magnitude)
    # Only a value above ABSURD_FACTOR can be absurd (typical levels are floored at 1), so
    # the per-series quantile is computed for the few series that have one.
    big = absurd | (magnitude > ABSURD_FACTOR)
    if not big.any():
        return absurd
    suspects = np.unique(history["series_id"].to_numpy()[big])
    in_suspect = history["series_id"].isin(suspects).to_numpy()
    part = pd.Series(np.where(absurd, np.nan, magnitude)[in_suspect])
    typical = part.groupby(history["series_id"].to_numpy()[in_suspect]).quantile(TYPICAL_QUANTILE)
    limit = ABSURD_FACTOR * np.maximum(typical.fillna(0.0), 1.0)
    row_limit = history["series_id"].map(limit).to_numpy(float)
    with np.errstate(invalid="ignore"):
        absurd |= in_suspect & (magnitude > row_limit)
    return absurd


def implausible_series(history: pd.DataFrame) -> pd.Series:
    """Why each flagged series was flagged, by series id (empty when none is)."""
    absurd = _absurd_rows(history)
    if not absurd.any():
        return pd.Series(dtype=object)
    counts = pd.Series(absurd).groupby(history["series_id"].to_numpy()).sum()
    counts = counts[counts > 0]
    return counts.map(
        lambda n: (
            f"history has {n} implausible value{'s' if n > 1 else ''} (non-finite or over "
            f"{ABSURD_FACTOR:g}x the series' typical level): replaced by its median, "
            "forecast from benchmarks alone, kept out of the shared models"
        )
    )


def with_absurd_values_replaced(history: pd.DataFrame) -> pd.DataFrame:
    """``history`` with every absurd value replaced by its series' median of the others."""
    absurd = _absurd_rows(history)
    plausible = history["y"].where(~absurd)
    median = plausible.groupby(history["series_id"]).transform("median").fillna(0.0)
    return history.assign(y=plausible.fillna(median))
