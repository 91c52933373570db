"""Forecast value added: did each stage's changes make the plan more or less accurate?

Compared on the same lines and weeks once actuals exist: the statistical forecast, the
planner-adjusted plan, the consensus and the approved plan. The measure is WAPE, the
absolute error summed over store × SKU × week lines divided by the units sold (so a big
line weighs more than a small one, and a zero-sales line still counts its error); the
absolute error in units and MAE (units per line) say the same in units. A stage adds value
when its WAPE is below the stage before it; overrides are judged on the lines they touched,
by planner and by reason, since a planner's good calls should not hide in the untouched rest.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

STAGE_ORDER = ("statistical", "adjusted", "consensus", "approved")


def wape(forecast: np.ndarray, actual: np.ndarray) -> float | None:
    """Weighted absolute percentage error; None when there was no demand to weigh by."""
    total = float(np.abs(actual).sum())
    if total == 0:
        return None
    return float(np.abs(np.asarray(forecast) - np.asarray(actual)).sum() / total)


def bias(forecast: np.ndarray, actual: np.ndarray) -> float | None:
    """Total forecast over total actual, less one (+0.05: 5 % over)."""
    total = float(np.sum(actual))
    if total == 0:
        return None
    return float(np.sum(forecast) / total - 1)


def value_added_by_stage(lines: pd.DataFrame) -> pd.DataFrame:
    """One row per stage present in ``lines`` (columns named as ``STAGE_ORDER`` plus
    ``actual``): its plan, the units sold, its absolute error (units), MAE (units per line),
    WAPE, bias, and value added in WAPE points against the statistical forecast and against
    the stage before it (positive: the stage made the plan more accurate)."""
    if "actual" not in lines or "statistical" not in lines:
        raise ValueError("value added needs the actuals and the statistical forecast")
    actual = lines["actual"].to_numpy(float)
    rows, previous = [], None
    base = wape(lines["statistical"].to_numpy(float), actual)
    for stage in STAGE_ORDER:
        if stage not in lines:
            continue
        plan = lines[stage].to_numpy(float)
        error = wape(plan, actual)
        absolute = float(np.abs(plan - actual).sum())
        rows.append(
            {
                "stage": stage,
                "lines": len(plan),
                "plan_units": float(plan.sum()),
                "actual_units": float(actual.sum()),
                "abs_error_units": absolute,
                "mae": absolute / len(plan) if len(plan) else None,
                "wape": error,
                "bias": bias(lines[stage].to_numpy(float), actual),
                "value_added_vs_statistical": _gain(base, error),
                "value_added_vs_previous": _gain(previous, error),
            }
        )
        previous = error
    return pd.DataFrame(rows)


def value_added_of_overrides(touched: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Per group (e.g. ``["planner"]`` or ``["reason"]``) of overridden lines: lines, units
    moved, the units sold, the statistical and the adjusted absolute error (units) and WAPE
    on those lines, and the value added (WAPE points; positive: the overrides helped)."""
    needed = {"statistical", "adjusted", "actual", *by}
    missing = needed - set(touched.columns)
    if missing:
        raise ValueError(f"overridden lines need the columns {sorted(missing)}")
    rows = []
    for key, group in touched.groupby(by, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        actual = group["actual"].to_numpy(float)
        statistical = group["statistical"].to_numpy(float)
        adjusted = group["adjusted"].to_numpy(float)
        before = wape(statistical, actual)
        after = wape(adjusted, actual)
        rows.append(
            {
                **dict(zip(by, key, strict=True)),
                "lines": len(group),
                "units_moved": float(np.abs(adjusted - statistical).sum()),
                "actual_units": float(actual.sum()),
                "abs_error_statistical": float(np.abs(statistical - actual).sum()),
                "abs_error_adjusted": float(np.abs(adjusted - actual).sum()),
                "wape_statistical": before,
                "wape_adjusted": after,
                "value_added": _gain(before, after),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            *by,
            "lines",
            "units_moved",
            "actual_units",
            "abs_error_statistical",
            "abs_error_adjusted",
            "wape_statistical",
            "wape_adjusted",
            "value_added",
        ],
    )


def _gain(before: float | None, after: float | None) -> float | None:
    """WAPE points gained (before − after); None when either side cannot be measured."""
    if before is None or after is None:
        return None
    return before - after
