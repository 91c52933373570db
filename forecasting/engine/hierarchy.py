"""Bottom-up aggregation of store × SKU forecasts to any level of the hierarchy.

The product's one hierarchy implementation: store, warehouse, region, category and total
forecasts are sums of the series forecasts, so every level is coherent by construction.

Means add up exactly, so every parent equals the sum of its children. Quantiles do not add
up; the aggregate's interval assumes independent children with a normal approximation:
each child's spread is read off its p10–p90 band, variances add, and the aggregate's p10
and p90 are placed symmetrically around the summed mean, which is also the aggregate's p50
(a sum of many series is close to normal, where median and mean agree; summing the
children's medians would understate skewed, intermittent demand). Pure pandas, no Django.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

Z90 = 1.2815515655446004  # standard normal 90th percentile


def aggregate(forecasts: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Sum ``forecast`` over rows grouped by ``by`` (+ date) with a coherent interval.

    ``forecasts`` has columns ``date, forecast, p10, p50, p90`` plus the ``by`` columns.
    """
    frame = forecasts.copy()
    sigma = (frame["p90"] - frame["p10"]) / (2 * Z90)
    frame["_var"] = sigma.clip(lower=0) ** 2
    grouped = frame.groupby([*by, "date"], as_index=False, observed=True).agg(
        forecast=("forecast", "sum"), _var=("_var", "sum")
    )
    grouped["p50"] = grouped["forecast"]
    spread = Z90 * np.sqrt(grouped["_var"])
    grouped["p10"] = (grouped["p50"] - spread).clip(lower=0)
    grouped["p90"] = grouped["p50"] + spread
    grouped["p10"] = np.minimum(grouped["p10"], grouped["p50"])
    return grouped.drop(columns="_var")[[*by, "date", "forecast", "p10", "p50", "p90"]]
