"""Run candidates safely: a failing or implausible candidate never reaches a plan.

For each candidate and series the output is checked; a series whose forecast raised, is
missing, non-finite, materially negative for a never-negative series, or absurd (more than
``ABSURD_FACTOR`` × the historical maximum) is replaced by a fallback (a benchmark) and the
reason is recorded.  Tiny negatives on non-negative series are clipped to zero.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .models import Candidate, ForecastTask

ABSURD_FACTOR = 10.0
NEGATIVE_TOLERANCE = 0.1


@dataclass
class CandidateRun:
    """Long forecasts (``series_id, ds, model, forecast``), fallback log and seconds per model."""

    forecasts: pd.DataFrame
    fallbacks: pd.DataFrame
    timings: dict[str, float] = field(default_factory=dict)


def _subtask(task: ForecastTask, ids: np.ndarray) -> ForecastTask:
    keep_h = task.history["series_id"].isin(ids)
    keep_f = task.future["series_id"].isin(ids)
    demand = (
        task.demand[task.demand["series_id"].isin(ids)] if not task.demand.empty else task.demand
    )
    return ForecastTask(
        task.history[keep_h], task.future[keep_f], task.horizon, task.granularity, demand
    )


def check_forecast(
    forecast: pd.DataFrame,
    grid: pd.DataFrame,
    stats: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.Series]:
    """Validate one candidate's forecast against the expected ``grid``.

    ``stats`` is indexed by series_id with ``max_abs`` and ``nonneg``.  Returns the forecast
    aligned to the grid (small negatives clipped) and a Series of failure reasons per failing
    series.
    """
    out = grid[["series_id", "ds"]].merge(
        forecast[["series_id", "ds", "forecast"]], on=["series_id", "ds"], how="left"
    )
    f = out["forecast"].to_numpy(float)
    sid = out["series_id"].to_numpy()
    max_abs = out["series_id"].map(stats["max_abs"]).to_numpy(float)
    nonneg = out["series_id"].map(stats["nonneg"]).fillna(True).to_numpy(bool)
    bad_finite = ~np.isfinite(f)
    with np.errstate(invalid="ignore"):
        bad_neg = nonneg & (f < -NEGATIVE_TOLERANCE * np.maximum(max_abs, 1e-9))
        bad_big = np.abs(f) > ABSURD_FACTOR * np.maximum(max_abs, 1e-9)
    reasons = pd.Series(
        np.select(
            [bad_finite, bad_neg, bad_big],
            [
                "missing or non-finite forecast",
                "negative forecast for non-negative series",
                f"forecast above {ABSURD_FACTOR:g}x historical max",
            ],
            default="",
        ),
        index=sid,
    )
    reasons = reasons[reasons != ""].groupby(level=0).first()
    out["forecast"] = np.where(nonneg & np.isfinite(f), np.maximum(f, 0.0), f)
    return out, reasons


def run_candidates(
    task: ForecastTask,
    candidates: list[Candidate],
    fallback: pd.DataFrame | None = None,
) -> CandidateRun:
    """Run every candidate on its eligible series with guard-rails.

    ``fallback`` (``series_id, ds, forecast``) replaces failing series; if omitted, seasonal
    naive (run first when present, else the first candidate) is the fallback.
    """
    candidates = sorted(candidates, key=lambda c: c.name != "seasonal_naive")
    hist = task.history
    stats = pd.DataFrame(
        {
            "max_abs": hist["y"].abs().groupby(hist["series_id"]).max(),
            "nonneg": hist["y"].groupby(hist["series_id"]).min() >= 0,
        }
    )
    all_ids = stats.index.to_numpy()
    frames, logs, timings = [], [], {}
    for cand in candidates:
        start = time.perf_counter()
        ids = all_ids if cand.eligible is None else np.intersect1d(all_ids, cand.eligible(task))
        if len(ids) == 0:
            continue
        sub = _subtask(task, ids)
        grid = sub.future[["series_id", "ds"]]
        try:
            raw = cand.predict(sub)
            checked, reasons = check_forecast(raw, grid, stats)
        except Exception as exc:
            checked = grid.assign(forecast=np.nan)
            reasons = pd.Series(f"fit failed: {type(exc).__name__}: {exc}"[:200], index=ids)
        if len(reasons):
            if fallback is not None:
                repl = grid.merge(
                    fallback[["series_id", "ds", "forecast"]], on=["series_id", "ds"], how="left"
                )["forecast"].to_numpy()
                bad = checked["series_id"].isin(reasons.index).to_numpy()
                checked.loc[bad, "forecast"] = repl[bad]
            logs.append(
                pd.DataFrame(
                    {
                        "series_id": reasons.index,
                        "model": cand.name,
                        "fallback_reason": reasons.to_numpy(),
                    }
                )
            )
        if fallback is None:
            fallback = checked
        frames.append(checked.assign(model=cand.name))
        timings[cand.name] = timings.get(cand.name, 0.0) + time.perf_counter() - start
    empty = task.future[["series_id", "ds"]].iloc[:0].assign(forecast=0.0, model="")
    forecasts = pd.concat(frames, ignore_index=True) if frames else empty
    fallbacks = (
        pd.concat(logs, ignore_index=True)
        if logs
        else pd.DataFrame(columns=["series_id", "model", "fallback_reason"])
    )
    return CandidateRun(forecasts, fallbacks, timings)
