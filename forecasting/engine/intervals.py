"""Prediction intervals and lead-time demand quantiles from backtest residuals.

Empirical conformal approach: the selected model's backtest errors (actual − forecast) are
pooled per series, normalised by the series' error scale, and the quantile of the residual is
added to the point forecast.  The spread grows with the horizon step by a data-driven factor
(mean absolute scaled error at that step relative to all steps, made non-decreasing).  Series
without residuals borrow the pooled distribution of all series.  Quantiles are sorted so they
are monotone, and clipped at zero for series that never went negative.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

DEFAULT_QUANTILES = (0.1, 0.5, 0.9)


def quantile_column(q: float) -> str:
    """Column name for a quantile: 0.1 -> 'p10', 0.025 -> 'p2.5'."""
    return f"p{q * 100:g}"


def _step_factors(res: pd.DataFrame, horizon: int) -> np.ndarray:
    mae = res["resid"].abs().groupby(res["series_id"]).mean()
    scaled = res["resid"].abs() / res["series_id"].map(mae).clip(lower=1e-12)
    by_step = scaled.groupby(res["step"]).mean().reindex(range(1, horizon + 1))
    by_step = by_step.ffill().bfill().fillna(1.0)
    factors = np.maximum.accumulate(by_step.to_numpy() / max(by_step.mean(), 1e-12))
    return np.clip(factors, 0.25, 4.0)


def add_intervals(
    forecasts: pd.DataFrame,
    backtest_selected: pd.DataFrame,
    history: pd.DataFrame,
    quantiles: Sequence[float] = DEFAULT_QUANTILES,
) -> pd.DataFrame:
    """Add one column per quantile (``p10``, ``p50``, ``p90`` ...) to ``forecasts``.

    ``forecasts``: series_id, ds, forecast and ``step``.  ``backtest_selected``: the selected
    model's backtest rows (series_id, step, forecast, actual).  ``history`` tells which series
    are non-negative and gives a scale for series without residuals.
    """
    qs = sorted(set(float(q) for q in quantiles))
    horizon = int(forecasts["step"].max())
    res = backtest_selected.assign(
        resid=backtest_selected["actual"] - backtest_selected["forecast"]
    )
    scale = res["resid"].abs().groupby(res["series_id"]).mean()
    level = history["y"].abs().groupby(history["series_id"]).mean()
    res = res[res["series_id"].map(scale).fillna(0) > 0]
    norm = res["resid"] / res["series_id"].map(scale)
    per_series = norm.groupby(res["series_id"]).quantile(qs).unstack()
    pooled = norm.quantile(qs) if len(norm) else pd.Series(0.0, index=qs)
    factors = _step_factors(res, horizon) if len(res) else np.ones(horizon)
    sid = forecasts["series_id"]
    s = sid.map(scale).where(lambda v: v > 0).fillna(sid.map(level)).fillna(0.0).to_numpy()
    step_f = factors[forecasts["step"].to_numpy() - 1]
    base = forecasts["forecast"].to_numpy(float)
    cols = []
    for q in qs:
        qv = sid.map(per_series[q]) if q in per_series.columns else pd.Series(np.nan, sid.index)
        qv = qv.fillna(pooled[q]).to_numpy(float)
        cols.append(base + qv * s * step_f)
    mat = np.sort(np.column_stack(cols), axis=1)
    nonneg = sid.map(history["y"].groupby(history["series_id"]).min() >= 0).fillna(True)
    mat = np.where(nonneg.to_numpy()[:, None], np.maximum(mat, 0.0), mat)
    out = forecasts.copy()
    for i, q in enumerate(qs):
        out[quantile_column(q)] = mat[:, i]
    return out


def lead_time_demand(
    forecasts: pd.DataFrame,
    backtest_selected: pd.DataFrame,
    lead_time: int,
    quantiles: Sequence[float] = DEFAULT_QUANTILES,
    nonnegative: bool = True,
) -> pd.DataFrame:
    """Quantiles of total demand over the next ``lead_time`` periods per series (safety stock).

    Mean = sum of the point forecasts over the first ``lead_time`` steps.  Uncertainty comes from
    backtest residual sums over every ``lead_time``-long run of consecutive steps inside each
    backtest window, so autocorrelated errors widen the distribution as they should; for lead
    times beyond the backtest horizon the full-horizon sums are scaled by sqrt(L / horizon).
    Returns ``series_id, lead_time, mean`` plus one column per quantile.
    """
    qs = sorted(set(float(q) for q in quantiles))
    fc = forecasts[forecasts["step"] <= lead_time]
    mean = fc.groupby("series_id")["forecast"].sum()
    res = backtest_selected.assign(
        resid=backtest_selected["actual"] - backtest_selected["forecast"]
    )
    wide = res.pivot_table(
        index=["series_id", "window"], columns="step", values="resid", aggfunc="first"
    ).sort_index(axis=1)
    horizon = wide.shape[1]
    span = min(lead_time, horizon)
    cs = np.concatenate([np.zeros((len(wide), 1)), np.nancumsum(wide.to_numpy(), axis=1)], 1)
    sums = cs[:, span:] - cs[:, :-span] if span else np.zeros((len(wide), 1))
    sums = sums * np.sqrt(lead_time / span) if span else sums
    ids = wide.index.get_level_values("series_id").to_numpy()
    long = pd.DataFrame({"series_id": np.repeat(ids, sums.shape[1]), "s": sums.ravel()})
    qtab = long.groupby("series_id")["s"].quantile(qs).unstack()
    out = pd.DataFrame({"series_id": mean.index, "lead_time": lead_time, "mean": mean.to_numpy()})
    mat = np.column_stack(
        [out["mean"].to_numpy() + out["series_id"].map(qtab[q]).fillna(0.0).to_numpy() for q in qs]
    )
    mat = np.sort(mat, axis=1)
    if nonnegative:
        mat = np.maximum(mat, 0.0)
    for i, q in enumerate(qs):
        out[quantile_column(q)] = mat[:, i]
    return out
