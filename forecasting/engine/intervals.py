"""Prediction intervals and lead-time demand quantiles from backtest residuals.

Split-conformal style, calibrated per demand class on the pipeline's own backtest:

* each series' backtest errors (actual − forecast of the selected model) are divided by the
  series' error scale (their mean absolute value; the mean absolute demand for a series
  without usable residuals), so series of any size pool into one distribution per demand
  class (smooth / erratic / intermittent / lumpy);
* the spread grows with the horizon step by a factor learnt per class (mean absolute scaled
  error at that step relative to all steps, made non-decreasing), and with the square root
  of the forecast's level relative to the series' typical level (a peak errs by more);
* the band is built as the planner sees it — the point forecast inside the band, never below
  zero for a never-negative series, whole units for count data — and its width is then scaled
  per class until the band covers the nominal share (80 % for p10–p90) of the backtest
  actuals it would have been shown around, recent windows weighing more than older ones.

Why the band is built around the point forecast: the point forecast is a mean, and for
skewed demand (a slow mover that sells on one day in twelve) the mean lies above the 90 %
quantile of demand, so quantiles read off the residuals alone fall below the forecast shown
beside them. The quantiles below the median are therefore at most the point forecast and
those above it at least the point forecast; the calibration sees that rule, so widening the
band where it is needed and not elsewhere keeps coverage at the nominal share.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .classify import classify_demand

DEFAULT_QUANTILES = (0.1, 0.5, 0.9)
# Backtest residuals a demand class needs to be calibrated on its own (else: all classes).
MIN_CLASS_RESIDUALS = 100
POOLED = "all"
# Error spread grows with the square root of the forecast level (Poisson-like), within bounds.
LEVEL_ELASTICITY = 0.5
LEVEL_RATIO_BOUNDS = (0.25, 4.0)
# Weight of a backtest window in the width calibration per window of age (latest = 1).
RECENCY_DECAY = 0.5
_EPS = 1e-9


def quantile_column(q: float) -> str:
    """Column name for a quantile: 0.1 -> 'p10', 0.025 -> 'p2.5'."""
    return f"p{q * 100:g}"


def _series_traits(history: pd.DataFrame) -> pd.DataFrame:
    """Per series: demand class, mean absolute demand, never negative, whole units only."""
    y = history["y"].astype(float)
    by = y.groupby(history["series_id"])
    whole = (np.abs(y - np.round(y)) < _EPS).groupby(history["series_id"]).all()
    level = y.abs().groupby(history["series_id"]).mean()
    traits = pd.DataFrame({"level": level, "nonneg": by.min() >= 0})
    traits["count"] = whole & traits["nonneg"]
    classes = classify_demand(history).set_index("series_id")["demand_class"]
    traits["demand_class"] = classes.reindex(traits.index).fillna("smooth")
    return traits


def _level_ratio(rows: pd.DataFrame, typical: pd.Series) -> pd.Series:
    """How the forecast's level compares with the series' typical backtest forecast, damped.

    Errors grow with the level (a peak week errs by more units than a quiet one), so the
    band scales with ``ratio ** LEVEL_ELASTICITY``; the ratio is bounded so that a forecast
    near zero or a sudden jump cannot collapse or explode the band.
    """
    base = rows["series_id"].map(typical)
    ratio = (rows["forecast"].abs() / base.where(base > 0)).fillna(1.0)
    return ratio.clip(LEVEL_RATIO_BOUNDS[0], LEVEL_RATIO_BOUNDS[1]) ** LEVEL_ELASTICITY


def _recency_weights(res: pd.DataFrame) -> pd.Series:
    """Weight of each backtest row in the width calibration: ``RECENCY_DECAY ** age``.

    A window's age is its rank from the most recent one (by the last date it covers): the
    error level of the latest windows is the best guide to the next horizon's (adaptive
    conformal), while older windows — a past peak among them — still count.
    """
    if "window" not in res or "ds" not in res:
        return pd.Series(1.0, index=res.index)
    ends = res.groupby("window")["ds"].max()
    age = ends.rank(method="dense", ascending=False) - 1
    return RECENCY_DECAY ** res["window"].map(age).astype(float)


def _step_factors(z: pd.Series, steps: pd.Series, horizon: int) -> np.ndarray:
    """How much wider the band is at each step than on average (non-decreasing)."""
    by_step = z.abs().groupby(steps).mean().reindex(range(1, horizon + 1))
    by_step = by_step.ffill().bfill().fillna(1.0)
    factors = np.maximum.accumulate(by_step.to_numpy() / max(by_step.mean(), 1e-12))
    return np.clip(factors, 0.25, 4.0)


def _band(
    forecast: np.ndarray,
    offsets: np.ndarray,
    qs: Sequence[float],
    nonneg: np.ndarray,
    count: np.ndarray,
) -> np.ndarray:
    """Quantile matrix (rows × quantiles) from the point forecast and scaled offsets.

    Quantiles below the median are at most, those above at least the point forecast; never
    negative for never-negative series; whole units for count series (lower quantiles
    rounded down, upper ones up, the median to the nearest unit).
    """
    f = forecast[:, None]
    mat = np.sort(f + offsets, axis=1)
    below = np.asarray(qs) < 0.5
    above = np.asarray(qs) > 0.5
    mat = np.where(below, np.minimum(mat, f), mat)
    mat = np.where(above, np.maximum(mat, f), mat)
    mat = np.where(nonneg[:, None], np.maximum(mat, 0.0), mat)
    rounded = np.where(
        below, np.floor(mat + _EPS), np.where(above, np.ceil(mat - _EPS), np.round(mat))
    )
    mat = np.where(count[:, None], rounded, mat)
    return np.sort(mat, axis=1)


def _width_multiplier(
    forecast: np.ndarray,
    actual: np.ndarray,
    offsets: np.ndarray,
    qs: Sequence[float],
    nonneg: np.ndarray,
    count: np.ndarray,
    weight: np.ndarray,
) -> float:
    """The factor on ``offsets`` whose band covers the nominal share of ``actual``.

    Coverage (weighted by ``weight``) only grows with the factor, so bisection finds it; if
    even a zero-width band (the point forecast, rounded) covers more than nominal, the factor
    is as small as allowed.  Only the band's two ends are built, as :func:`_band` does.
    """
    nominal = qs[-1] - qs[0]
    low_q, high_q = np.array(qs[:1]), np.array(qs[-1:])

    def coverage(k: float) -> float:
        lo = _band(forecast, offsets[:, :1] * k, low_q, nonneg, count)[:, 0]
        hi = _band(forecast, offsets[:, -1:] * k, high_q, nonneg, count)[:, 0]
        inside = (actual >= lo - _EPS) & (actual <= hi + _EPS)
        return float(np.average(inside, weights=weight))

    low, high = 0.05, 8.0
    if coverage(high) < nominal:
        return high
    for _ in range(20):
        mid = (low + high) / 2
        if coverage(mid) < nominal:
            low = mid
        else:
            high = mid
    return high


def _calibrate(
    res: pd.DataFrame, qs: Sequence[float], horizon: int
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per demand class (and ``POOLED``): (step factors, scaled quantile offsets × width)."""
    groups = {POOLED: res}
    for cls, part in res.groupby("demand_class"):
        if len(part) >= MIN_CLASS_RESIDUALS:
            groups[str(cls)] = part
    out = {}
    for name, part in groups.items():
        factors = _step_factors(part["z"], part["step"], horizon)
        spread = part["scale"].to_numpy() * factors[part["step"].to_numpy() - 1]
        offsets = (part["z"] / factors[part["step"].to_numpy() - 1]).quantile(qs).to_numpy()
        if len(qs) < 2:  # a lone quantile has no band to calibrate
            out[name] = (factors, offsets)
            continue
        k = _width_multiplier(
            part["forecast"].to_numpy(float),
            part["actual"].to_numpy(float),
            spread[:, None] * offsets[None, :],
            qs,
            part["nonneg"].to_numpy(bool),
            part["count"].to_numpy(bool),
            part["weight"].to_numpy(float),
        )
        out[name] = (factors, offsets * k)
    return out


def add_intervals(
    forecasts: pd.DataFrame,
    backtest_selected: pd.DataFrame,
    history: pd.DataFrame,
    quantiles: Sequence[float] = DEFAULT_QUANTILES,
) -> pd.DataFrame:
    """Add one column per quantile (``p10``, ``p50``, ``p90`` ...) to ``forecasts``.

    ``forecasts``: series_id, ds, forecast and ``step``.  ``backtest_selected``: the selected
    model's backtest rows (series_id, step, forecast, actual).  ``history`` gives each
    series' demand class, whether it is never negative and counted in whole units, and a
    scale for series without residuals.
    """
    qs = sorted(set(float(q) for q in quantiles))
    steps_seen = pd.concat([forecasts["step"], backtest_selected["step"]])
    horizon = int(steps_seen.max()) if len(steps_seen) else 1
    traits = _series_traits(history)
    when = [c for c in ("window", "ds") if c in backtest_selected]
    res = backtest_selected[["series_id", "step", "forecast", "actual", *when]].dropna()
    res = res.assign(resid=res["actual"] - res["forecast"])
    typical = res["forecast"].abs().groupby(res["series_id"]).mean()
    res = res.assign(level_ratio=_level_ratio(res, typical), weight=_recency_weights(res))
    weighted = (res["resid"].abs() / res["level_ratio"] * res["weight"]).groupby(res["series_id"])
    mae = weighted.sum() / res["weight"].groupby(res["series_id"]).sum()
    scale = mae.where(mae > 0).reindex(traits.index).fillna(traits["level"])
    res = res.join(traits, on="series_id")
    res["scale"] = res["series_id"].map(scale) * res["level_ratio"]
    res = res[res["scale"] > 0]
    res = res.assign(z=res["resid"] / res["scale"])
    if res.empty:
        calibration = {POOLED: (np.ones(horizon), np.zeros(len(qs)))}
    else:
        calibration = _calibrate(res, qs, horizon)

    rows = forecasts.join(traits, on="series_id")
    cls = rows["demand_class"].where(rows["demand_class"].isin(calibration.keys()), POOLED)
    steps = rows["step"].to_numpy() - 1
    offsets = np.zeros((len(rows), len(qs)))
    for name, (factors, scaled) in calibration.items():
        mask = (cls == name).to_numpy()
        offsets[mask] = factors[steps[mask], None] * scaled[None, :]
    spread = rows["series_id"].map(scale).fillna(0.0) * _level_ratio(rows, typical)
    mat = _band(
        rows["forecast"].to_numpy(float),
        offsets * spread.to_numpy(float)[:, None],
        qs,
        rows["nonneg"].fillna(True).to_numpy(bool),
        rows["count"].fillna(False).to_numpy(bool),
    )
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
