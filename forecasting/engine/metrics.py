"""Forecast accuracy metrics over long frames of actual vs forecast.

All per-series functions take a frame with ``series_id``, ``actual`` and ``forecast`` columns
and return a Series indexed by ``series_id``.  Scaled errors (MASE, RMSSE) need the in-sample
scale of the training part, see :func:`naive_scales`.  A NaN actual is a period nobody
observed (see :mod:`.missing`): it is no error and is left out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_EPS = 1e-12


def _grouped(frame: pd.DataFrame) -> pd.core.groupby.DataFrameGroupBy:
    unobserved = np.isnan(frame["actual"].to_numpy(float))
    if unobserved.any():
        frame = frame[~unobserved]
    err = frame["forecast"].to_numpy(float) - frame["actual"].to_numpy(float)
    tmp = pd.DataFrame(
        {
            "series_id": frame["series_id"].to_numpy(),
            "err": err,
            "abs_err": np.abs(err),
            "sq_err": err**2,
            "abs_act": np.abs(frame["actual"].to_numpy(float)),
        }
    )
    return tmp.groupby("series_id", sort=True)


def ratio(num: pd.Series | float, den: pd.Series | float) -> pd.Series | float:
    """num/den where den==0 gives 0 if num==0 else NaN: a perfect forecast of zeros is 0 error."""
    if isinstance(num, pd.Series):
        out = num / den.where(den > _EPS)
        return out.mask((den <= _EPS) & (num <= _EPS), 0.0)
    if den > _EPS:
        return float(num / den)
    return 0.0 if num <= _EPS else float("nan")


def wape(frame: pd.DataFrame) -> pd.Series:
    """Weighted absolute percentage error per series: sum|f-a| / sum|a|."""
    g = _grouped(frame).sum()
    return ratio(g["abs_err"], g["abs_act"])


def accuracy(frame: pd.DataFrame) -> pd.Series:
    """Forecast accuracy as planners quote it: 1 - WAPE."""
    return 1.0 - wape(frame)


def bias(frame: pd.DataFrame) -> pd.Series:
    """Signed bias per series: sum(f-a) / sum|a|; positive means over-forecasting."""
    g = _grouped(frame).sum()
    return ratio(g["err"], g["abs_act"])


def mape_nonzero(frame: pd.DataFrame) -> pd.Series:
    """MAPE over non-zero actuals only (plain MAPE is undefined on zeros); NaN if all zero."""
    actual = frame["actual"].to_numpy(float)
    nz = frame[(actual != 0) & ~np.isnan(actual)]
    ape = np.abs(nz["forecast"].to_numpy(float) - nz["actual"].to_numpy(float)) / np.abs(
        nz["actual"].to_numpy(float)
    )
    out = pd.Series(ape, index=nz["series_id"].to_numpy()).groupby(level=0).mean()
    ids = np.unique(frame["series_id"].to_numpy())
    return out.reindex(ids).rename_axis("series_id")


def naive_scales(history: pd.DataFrame, season: int) -> pd.DataFrame:
    """In-sample scales per series for MASE and RMSSE.

    ``mase_scale`` is the mean absolute seasonal-naive (lag ``season``) error, falling back to the
    one-step naive error for series shorter than two seasons; ``rmsse_scale`` is the mean squared
    one-step naive error (M5 convention).  Zero scales (constant series) fall back to the mean
    absolute level, then 1, so scaled errors stay finite.
    """
    h = history.sort_values(["series_id", "ds"], kind="stable")
    y = h["y"].to_numpy(float)
    ids = h["series_id"].to_numpy()
    g = pd.Series(y).groupby(ids, sort=True)
    d1 = (pd.Series(y) - g.shift(1)).to_numpy()
    dm = (pd.Series(y) - g.shift(season)).to_numpy()
    frame = pd.DataFrame(
        {"sid": ids, "a1": np.abs(d1), "s1": d1**2, "am": np.abs(dm), "level": np.abs(y)}
    )
    agg = frame.groupby("sid", sort=True).agg(
        a1=("a1", "mean"),
        s1=("s1", "mean"),
        am=("am", "mean"),
        nm=("am", "count"),
        level=("level", "mean"),
    )
    mase = agg["am"].where(agg["nm"] >= season, agg["a1"])
    fallback = agg["level"].where(agg["level"] > _EPS, 1.0)
    mase = mase.where(mase > _EPS, fallback).fillna(fallback)
    rmsse = agg["s1"].where(agg["s1"] > _EPS, fallback**2).fillna(fallback**2)
    return pd.DataFrame({"mase_scale": mase, "rmsse_scale": rmsse}).rename_axis("series_id")


def mase(frame: pd.DataFrame, scales: pd.DataFrame) -> pd.Series:
    """Mean absolute scaled error per series (scale from :func:`naive_scales`)."""
    g = _grouped(frame).mean()
    return g["abs_err"] / scales["mase_scale"].reindex(g.index)


def rmsse(frame: pd.DataFrame, scales: pd.DataFrame) -> pd.Series:
    """Root mean squared scaled error per series (scale from :func:`naive_scales`)."""
    g = _grouped(frame).mean()
    return np.sqrt(g["sq_err"] / scales["rmsse_scale"].reindex(g.index))


def error_table(frame: pd.DataFrame, scales: pd.DataFrame) -> pd.DataFrame:
    """Per-series wape, bias, mase, rmsse, n and the sums behind them (pooling over windows)."""
    g = _grouped(frame)
    sums, means = g.sum(), g.mean()
    out = pd.DataFrame(
        {
            "wape": ratio(sums["abs_err"], sums["abs_act"]),
            "bias": ratio(sums["err"], sums["abs_act"]),
            "mase": means["abs_err"] / scales["mase_scale"].reindex(sums.index),
            "rmsse": np.sqrt(means["sq_err"] / scales["rmsse_scale"].reindex(sums.index)),
            "abs_err": sums["abs_err"],
            "abs_act": sums["abs_act"],
            "err": sums["err"],
            "n": g.size(),
        }
    )
    return out.rename_axis("series_id")
