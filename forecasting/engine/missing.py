"""Periods without an actual: a store that did not report, or was closed.

History frames carry ``y = NaN`` for such periods (``forecasting.history_frames``). Read as
zero they would teach every model that demand vanished for a week, drag the level and the
forecast down, and count as forecast errors. The engine reads them three ways instead:

* models that need a regular series (benchmarks, ETS, Theta, Croston...) see an imputed
  value, the local level: the mean of the last ``LEVEL_PERIODS`` observed values in the same
  phase of the cycle (the same weekday for daily data; the weeks before, for weekly data).
  Only past values are used, so the one imputation made at the pipeline's entry leaks
  nothing into the backtest windows that cut the series later;
* the global model sees them as missing again (:func:`unfilled`): no target, and missing
  lag values, which LightGBM handles natively;
* backtest scoring leaves them out (:func:`observed`): no error is measured against a value
  nobody saw.

Which rows were imputed travels with the frame, in the boolean column ``MISSING``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .granularity import Granularity

MISSING = "y_missing"
LEVEL_PERIODS = 4


def fill_missing(history: pd.DataFrame, granularity: Granularity) -> pd.DataFrame:
    """``history`` (sorted by series and date) with every NaN ``y`` imputed and ``MISSING``
    saying which; a frame without gaps only gains the column (all False)."""
    missing = history["y"].isna().to_numpy()
    if MISSING in history.columns:
        missing |= history[MISSING].to_numpy(bool)
    if not missing.any():
        return history.assign(**{MISSING: missing})
    gappy = history["series_id"].isin(history["series_id"].to_numpy()[missing]).to_numpy()
    part = history.loc[gappy, ["series_id", "ds", "y"]]
    y = part["y"].to_numpy(float).copy()
    y[missing[gappy]] = np.nan
    filled = history["y"].to_numpy(float).copy()
    filled[gappy] = _local_level(part["series_id"], _phase(part["ds"], granularity), y)
    return history.assign(y=filled, **{MISSING: missing})


def observed(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``frame`` whose ``y`` was observed (all rows when nothing was imputed)."""
    if MISSING not in frame.columns or not frame[MISSING].any():
        return frame
    return frame[~frame[MISSING].to_numpy(bool)]


def unfilled(history: pd.DataFrame) -> pd.DataFrame:
    """``history`` with the imputed values of :func:`fill_missing` back to NaN."""
    if MISSING not in history.columns or not history[MISSING].any():
        return history
    return history.assign(y=history["y"].where(~history[MISSING].to_numpy(bool)))


def _phase(ds: pd.Series, granularity: Granularity) -> np.ndarray:
    """The position in the shortest cycle: the weekday for daily data, none for weeks."""
    if granularity.is_weekly:
        return np.zeros(len(ds), dtype=np.int8)
    return ds.dt.day_of_week.to_numpy(np.int8)


def _local_level(series: pd.Series, phase: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``y`` with its NaNs replaced, series by series: the mean of the last
    ``LEVEL_PERIODS`` observed values of the same phase; where a phase has none yet, the
    last such mean of any phase; before any observation, the first one after; else 0."""
    keys = [series.to_numpy(), phase]
    values = pd.Series(y)
    seen = values.notna().to_numpy()
    level = pd.Series(np.nan, index=values.index)
    observed_values = values[seen]
    level[seen] = (
        observed_values.groupby([k[seen] for k in keys], sort=False)
        .rolling(LEVEL_PERIODS, min_periods=1)
        .mean()
        .droplevel([0, 1])
        .sort_index()
        .to_numpy()
    )
    same_phase = level.groupby(keys, sort=False).ffill()
    any_phase = level.groupby(keys[0], sort=False).ffill()
    later = level.groupby(keys, sort=False).bfill()
    imputed = same_phase.fillna(any_phase).fillna(later).fillna(0.0).to_numpy()
    return np.where(seen, y, imputed)
