"""Where a date lies in the retail year: distance to the big holidays and yearly Fourier terms.

Demand peaks are tied to holidays that move against the calendar grid the lag features use:
Thanksgiving and Easter move by date, Christmas and New Year by weekday, and 52 weeks back is
one or two days off the same date. A model that knows "9 days before Christmas" learns the
shape of a peak from every series and every past year at once, whatever the data set's own
event flags say. Computed in closed form, so any date, past or future, gets a value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Beyond this many days a holiday is "far": the distance is clipped so trees split near it.
HOLIDAY_REACH_DAYS = 60
FOURIER_ORDER = 2


def _easter(years: np.ndarray) -> np.ndarray:
    """Gregorian Easter Sunday per year (anonymous Gregorian algorithm), as datetime64[D]."""
    a = years % 19
    b, c = np.divmod(years, 100)
    d, e = np.divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = np.divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = (h + ell - 7 * m + 114) % 31 + 1
    return _dates(years, month, day)


def _thanksgiving(years: np.ndarray) -> np.ndarray:
    """The fourth Thursday of November (US Thanksgiving; Black Friday is the day after)."""
    first = _dates(years, 11, 1)
    weekday = (first.astype("int64") + 3) % 7  # 1970-01-01 was a Thursday: Monday = 0
    return first + ((3 - weekday) % 7 + 21).astype("timedelta64[D]")


def _dates(years: np.ndarray, month: np.ndarray | int, day: np.ndarray | int) -> np.ndarray:
    month = np.broadcast_to(month, years.shape)
    day = np.broadcast_to(day, years.shape)
    start = (years - 1970).astype("datetime64[Y]").astype("datetime64[M]")
    return (start + (month - 1)).astype("datetime64[D]") + (day - 1).astype("timedelta64[D]")


HOLIDAYS = {
    "christmas": lambda years: _dates(years, 12, 25),
    "new_year": lambda years: _dates(years, 1, 1),
    "thanksgiving": _thanksgiving,
    "easter": _easter,
}


def holiday_distances(dates: pd.Series) -> pd.DataFrame:
    """Signed days from each date to the nearest occurrence of each holiday (negative before
    it), clipped to ±``HOLIDAY_REACH_DAYS``; one ``cal_days_<holiday>`` column per holiday."""
    unique, inverse = np.unique(dates.to_numpy("datetime64[D]"), return_inverse=True)
    years = unique.astype("datetime64[Y]").astype(int) + 1970
    out = {}
    for name, occurrence in HOLIDAYS.items():
        offsets = np.stack(
            [(unique - occurrence(years + k)).astype(int) for k in (-1, 0, 1)], axis=1
        )
        nearest = offsets[np.arange(len(unique)), np.abs(offsets).argmin(axis=1)]
        clipped = np.clip(nearest, -HOLIDAY_REACH_DAYS, HOLIDAY_REACH_DAYS)
        out[f"cal_days_{name}"] = clipped[inverse].astype("int16")
    return pd.DataFrame(out, index=dates.index)


def yearly_fourier(dates: pd.Series) -> pd.DataFrame:
    """Sine and cosine of the position in the year, orders 1…``FOURIER_ORDER``."""
    position = 2 * np.pi * (dates.dt.day_of_year.to_numpy() - 1) / 365.25
    out = {}
    for order in range(1, FOURIER_ORDER + 1):
        out[f"cal_year_sin{order}"] = np.sin(order * position).astype("float32")
        out[f"cal_year_cos{order}"] = np.cos(order * position).astype("float32")
    return pd.DataFrame(out, index=dates.index)
