"""Holidays, sporting, cultural and local events, and their demand multipliers.

Each event lifts (or depresses) specific categories on the day, optionally with a ramp
over the preceding days; Christmas Day closes every store. The result is a
(region, category, day) multiplier tensor plus the `events` frame that explains it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from demo.engine.calendar import Calendar
from demo.engine.catalogue import LEAF_CODES, REGIONS

ALL = "*"


@dataclass(frozen=True)
class Event:
    """One dated event: category uplifts on the day, a ramp before it, maybe a closure."""

    day: date
    name: str
    event_type: str
    uplift: dict[str, float]
    ramp_days: int = 0
    region_code: str | None = None
    closed: bool = False
    ramp_uplift: dict[str, float] = field(default_factory=dict)


def easter_sunday(year: int) -> date:
    """Gregorian Easter (Meeus/Jones/Butcher); Easter moves the spring holidays."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    n = h + l_ - 7 * m + 114
    return date(year, n // 31, n % 31 + 1)


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    """nth (1-based, or -1 for last) given weekday of a month."""
    if nth > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    nxt = date(year + month // 12, month % 12 + 1, 1)
    last = nxt - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _year_events(year: int) -> list[Event]:
    easter = easter_sunday(year)
    party = {"BEV-ALC": 0.6, "FOOD-SNK": 0.4, "BEV-SOFT": 0.3}
    bank = {"BEV-SOFT": 0.3, "BEV-ALC": 0.4, "FOOD-SNK": 0.25}
    thanksgiving = _nth_weekday(year, 11, 3, 4)
    events = [
        Event(date(year, 1, 1), "New Year's Day", "holiday", {ALL: -0.4}),
        Event(
            date(year, 2, 14),
            "Valentine's Day",
            "cultural",
            {"NF-ACC": 0.6, "BEV-ALC": 0.3, "FOOD-SNK": 0.3},
            ramp_days=3,
        ),
        Event(
            easter - timedelta(days=21),
            "Mother's Day",
            "cultural",
            {"NF-ACC": 0.8, "NF-PER": 0.4},
            ramp_days=4,
        ),
        Event(
            easter - timedelta(days=2),
            "Good Friday",
            "holiday",
            {ALL: 0.1, "FOOD-BAK": 0.6},
            ramp_days=2,
        ),
        Event(
            easter,
            "Easter Sunday",
            "holiday",
            {ALL: -0.5},
            ramp_uplift={"FOOD-SNK": 0.8},
            ramp_days=7,
        ),
        Event(easter + timedelta(days=1), "Easter Monday", "holiday", bank),
        Event(_nth_weekday(year, 5, 0, 1), "Early May Bank Holiday", "holiday", bank, ramp_days=2),
        Event(_nth_weekday(year, 5, 5, 3), "National Cup Final", "sporting", party, ramp_days=1),
        Event(_nth_weekday(year, 5, 0, -1), "Spring Bank Holiday", "holiday", bank, ramp_days=2),
        Event(_nth_weekday(year, 8, 0, -1), "Summer Bank Holiday", "holiday", bank, ramp_days=2),
        Event(
            date(year, 10, 31),
            "Halloween",
            "cultural",
            {"FOOD-SNK": 0.7, "NF-ACC": 0.5},
            ramp_days=5,
        ),
        Event(
            thanksgiving + timedelta(days=1),
            "Black Friday",
            "cultural",
            {"NF-ACC": 1.2, "NF-HOU": 0.5, "NF-PER": 0.5},
        ),
        Event(
            date(year, 12, 24),
            "Christmas Eve",
            "holiday",
            {ALL: 0.6, "BEV-ALC": 1.2, "FOOD-BAK": 0.8, "FOOD-SNK": 0.9},
            ramp_days=10,
        ),
        Event(date(year, 12, 25), "Christmas Day", "holiday", {}, closed=True),
        Event(date(year, 12, 26), "Boxing Day", "holiday", {ALL: -0.3, "NF-ACC": 0.3}),
        Event(
            date(year, 12, 31),
            "New Year's Eve",
            "holiday",
            {"BEV-ALC": 1.5, "FOOD-SNK": 0.6, "BEV-SOFT": 0.4},
            ramp_days=2,
        ),
    ]
    if year % 2 == 0:
        kickoff = date(year, 6, 14)
        events += [
            Event(
                kickoff + timedelta(days=4 * j),
                "International Football Championship",
                "sporting",
                party,
            )
            for j in range(8)
        ]
    local = {"BEV-SOFT": 0.5, "BEV-ALC": 0.5, "FOOD-SNK": 0.3}
    for r, (code, name) in enumerate(REGIONS):
        fair = _nth_weekday(year, 7, 5, 1 + r)
        events += [
            Event(fair, f"{name} Summer Fair", "local", local, region_code=code),
            Event(
                fair + timedelta(days=1), f"{name} Summer Fair", "local", local, region_code=code
            ),
            Event(
                _nth_weekday(year, 9, 5, 2),
                f"{name} Food Festival",
                "local",
                {"FOOD-BAK": 0.4, "FOOD-DAI": 0.3},
                region_code=code,
            ),
        ]
    return events


def _by_category(uplift: dict[str, float]) -> np.ndarray:
    return np.array([uplift.get(code, uplift.get(ALL, 0.0)) for code in LEAF_CODES])


@dataclass(frozen=True)
class EventEffects:
    """The `events` frame and the demand multipliers it implies."""

    frame: pd.DataFrame
    multiplier: np.ndarray  # (regions, categories, days) float32
    closed: np.ndarray  # (days,) bool


def build_events(cal: Calendar) -> EventEffects:
    """All events touching the calendar and their multiplicative demand effect."""
    n_reg, n_cat, n_days = len(REGIONS), len(LEAF_CODES), cal.n_days
    mult = np.ones((n_reg, n_cat, n_days), dtype=np.float32)
    closed = np.zeros(n_days, dtype=bool)
    region_index = {code: i for i, (code, _) in enumerate(REGIONS)}
    rows = []
    for year in range(cal.start.year, cal.end.year + 2):
        for ev in _year_events(year):
            day = cal.index_of(ev.day)
            if day < 0 or day - ev.ramp_days >= n_days:
                continue
            regions = [region_index[ev.region_code]] if ev.region_code else list(range(n_reg))
            if 0 <= day < n_days:
                rows.append((ev.day, ev.name, ev.event_type, ev.region_code))
                if ev.closed:
                    closed[day] = True
            base = _by_category(ev.uplift)
            pre = np.maximum(_by_category(ev.ramp_uplift or ev.uplift), 0.0)
            for lag in range(ev.ramp_days + 1):
                d = day - lag
                if not 0 <= d < n_days:
                    continue
                effect = base if lag == 0 else pre * (1 - lag / (ev.ramp_days + 1))
                mult[np.ix_(regions, range(n_cat), [d])] *= (1 + effect)[None, :, None]
    mult[:, :, closed] = 0.0
    day, name, kind, region = zip(*rows, strict=True) if rows else ((),) * 4
    frame = pd.DataFrame(
        {
            "date": day,
            "name": name,
            "event_type": kind,
            "region_code": pd.Series(region, dtype=object),
        }
    )
    frame = frame.sort_values(["date", "name"], kind="stable").reset_index(drop=True)
    return EventEffects(frame=frame, multiplier=mult, closed=closed)
