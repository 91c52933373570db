"""Shared helpers for the long ``series_id, ds, y`` frame the whole engine speaks.

Every public function of the engine takes and returns long frames; these helpers keep the
conventions (sorting, future dates, exogenous columns) in one place.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .missing import MISSING

CARRY_FORWARD_EXOG = ("price",)


def sort_history(history: pd.DataFrame) -> pd.DataFrame:
    """Sort by series then date with a fresh index; most vectorised code relies on it.

    A frame already in order is returned without sorting (copy-on-write: no data copied), as
    the pipeline sorts once and every stage after it would otherwise copy millions of rows.
    """
    sid = history["series_id"].to_numpy()
    ds = history["ds"].to_numpy()
    same = sid[1:] == sid[:-1]
    if bool(np.all((sid[1:] > sid[:-1]) | (same & (ds[1:] > ds[:-1])))):
        return history.reset_index(drop=True)
    return history.sort_values(["series_id", "ds"], kind="stable").reset_index(drop=True)


def exog_columns(frame: pd.DataFrame) -> list[str]:
    """All numeric columns besides the key columns: price, promotions, events, indicators."""
    skip = {
        "series_id",
        "ds",
        "y",
        MISSING,  # which values were imputed, not a driver
        "model",
        "forecast",
        "actual",
        "window",
        "cutoff",
        "step",
    }
    return [c for c in frame.columns if c not in skip and pd.api.types.is_numeric_dtype(frame[c])]


def future_frame(history: pd.DataFrame, horizon: int, freq: str) -> pd.DataFrame:
    """Build the ``series_id, ds, step`` grid of the next ``horizon`` periods per series."""
    last = history.groupby("series_id", sort=True)["ds"].max()
    offset = pd.tseries.frequencies.to_offset(freq)
    parts = []
    for step in range(1, horizon + 1):
        ds = pd.DatetimeIndex(last.to_numpy()) + step * offset
        parts.append(pd.DataFrame({"series_id": last.index, "ds": ds, "step": step}))
    out = pd.concat(parts, ignore_index=True)
    out["ds"] = out["ds"].astype("datetime64[ns]")
    return out.sort_values(["series_id", "step"], kind="stable").reset_index(drop=True)


def with_future_exog(
    history: pd.DataFrame,
    future: pd.DataFrame,
    future_exog: pd.DataFrame | None,
) -> pd.DataFrame:
    """Attach exogenous values to the future grid.

    Values come from ``future_exog`` where given; otherwise price is carried forward from the
    last observation and every other exogenous column (promotion, event, indicators) is 0,
    i.e. "nothing planned".
    """
    cols = exog_columns(history)
    out = future.copy()
    if not cols:
        return out
    if future_exog is not None:
        given = [c for c in cols if c in future_exog.columns]
        if given:
            out = out.merge(
                future_exog[["series_id", "ds", *given]], on=["series_id", "ds"], how="left"
            )
    last = history.groupby("series_id", sort=True)[cols].last()
    for c in cols:
        fill = out["series_id"].map(last[c]) if c in CARRY_FORWARD_EXOG else 0.0
        if c in out.columns:
            out[c] = out[c].astype(float).fillna(fill)
        else:
            out[c] = fill
        out[c] = out[c].astype(float)
    return out


def drop_last_periods(history: pd.DataFrame, n: int) -> pd.DataFrame:
    """Remove the last ``n`` observations of every series (positional, so ragged ends work)."""
    if n <= 0:
        return history
    pos = history.groupby("series_id", sort=False).cumcount(ascending=False)
    return history[pos.to_numpy() >= n]


def last_periods(history: pd.DataFrame, n: int) -> pd.DataFrame:
    """Keep the last ``n`` observations of every series."""
    pos = history.groupby("series_id", sort=False).cumcount(ascending=False)
    return history[pos.to_numpy() < n]


def tail_matrix(history: pd.DataFrame, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Last ``n`` values of each series as a (series × n) matrix, NaN-padded on the left.

    Returns sorted series ids and the matrix; lets benchmarks run as numpy array maths.
    """
    pos = history.groupby("series_id", sort=False).cumcount(ascending=False).to_numpy()
    keep = pos < n
    ids, codes = np.unique(history["series_id"].to_numpy()[keep], return_inverse=True)
    mat = np.full((len(ids), n), np.nan)
    mat[codes, n - 1 - pos[keep]] = history["y"].to_numpy(dtype=float)[keep]
    return ids, mat
