"""Weather and macro-economic indicators per region.

Temperature is generated daily because it also drives beverage demand (hot weeks sell
more soft drinks than the seasonal norm); the published frame holds weekly values, as
an external data feed would.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from demo.engine.calendar import Calendar
from demo.engine.catalogue import REGIONS

MEAN_TEMPERATURE = np.array([9.0, 10.0, 11.5])
TEMPERATURE_SWING = 7.0
WARMEST_DOY = 200


@dataclass(frozen=True)
class Indicators:
    """The published weekly frame plus the daily weather signal demand reacts to."""

    frame: pd.DataFrame
    temperature_anomaly: np.ndarray  # (regions, days): deviation from the seasonal norm


def build_indicators(rng: np.random.Generator, cal: Calendar) -> Indicators:
    """Daily temperature (AR(1) around a seasonal norm) and weekly macro series per region."""
    n_reg, n_days = len(REGIONS), cal.n_days
    norm = MEAN_TEMPERATURE[:, None] + TEMPERATURE_SWING * np.cos(
        2 * np.pi * (cal.doy[None, :] - WARMEST_DOY) / 365.25
    )
    shocks = rng.normal(0.0, 1.6, (n_reg, n_days))
    shocks[1:] = 0.6 * shocks[1:] + 0.8 * shocks[:-1]  # neighbouring regions share weather
    anomaly = np.empty_like(shocks)
    anomaly[:, 0] = shocks[:, 0]
    for d in range(1, n_days):
        anomaly[:, d] = 0.8 * anomaly[:, d - 1] + shocks[:, d]
    temperature = norm + anomaly

    week_end = np.flatnonzero(cal.dow == 6)
    week_end = week_end[week_end >= 6]
    weeks = len(week_end)
    weekly_temp = np.stack([temperature[:, d - 6 : d + 1].mean(axis=1) for d in week_end], axis=1)
    t = cal.years_elapsed[week_end]
    inflation = rng.normal(0.035, 0.01) + np.cumsum(rng.normal(0, 0.0008, weeks))
    cpi = 100 * np.exp(np.cumsum(inflation / 52))[None, :] * (1 + rng.normal(0, 0.004, (n_reg, 1)))
    fuel = 1.45 + 0.15 * np.sin(2 * np.pi * t / 2.3) + np.cumsum(rng.normal(0, 0.012, weeks))
    fuel = fuel[None, :] + rng.normal(0, 0.03, (n_reg, 1))
    unemployment = (
        4.5
        + rng.normal(0, 0.6, (n_reg, 1))
        + np.cumsum(rng.normal(0, 0.04, (n_reg, weeks)), axis=1)
    )

    series = {
        "temperature": np.round(weekly_temp, 1),
        "cpi": np.round(cpi, 2),
        "fuel_price": np.round(fuel, 3),
        "unemployment": np.round(unemployment, 2),
    }
    dates = pd.to_datetime(cal.dates[week_end]).date
    frames = [
        pd.DataFrame({"name": name, "region_code": code, "date": dates, "value": values[r]})
        for name, values in series.items()
        for r, (code, _) in enumerate(REGIONS)
    ]
    frame = pd.concat(frames, ignore_index=True)
    return Indicators(frame=frame, temperature_anomaly=anomaly.astype(np.float32))
