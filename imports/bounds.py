"""The configured limits on what an import accepts, read from settings when an import runs.

Values that parse are not necessarily plausible: a sales row dated 9999-12-31 or a quantity
of 1e308 stops or skews forecasting for everybody. These limits keep every date, number and
file within what the engines (and pandas) handle; each has a setting so a deployment with
unusual data can widen it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from django.conf import settings

DEFAULTS = {
    "IMPORT_DATE_MIN": "1990-01-01",
    "IMPORT_HISTORY_DAYS_AHEAD": 7,
    "IMPORT_PLAN_DAYS_AHEAD": 3 * 366,
    "IMPORT_MAX_QUANTITY": 1e9,
    "IMPORT_MAX_MONEY": 1e11,
    "IMPORT_MAX_MEASURE": 1e12,
    "IMPORT_MAX_EXPANSION_RATIO": 100,
    "IMPORT_EXPANSION_ALLOWANCE_BYTES": 16 * 2**20,
    "IMPORT_MAX_UNPACKED_BYTES": 2**30,
    "IMPORT_MAX_LINE_BYTES": 64 * 2**10,
    "IMPORT_MAX_CELL_CHARS": 10_000,
    "IMPORT_AUDIT_MAX_ROWS": 1_000,
}


def setting(name: str):
    return getattr(settings, name, DEFAULTS[name])


@dataclass(frozen=True)
class InputBounds:
    """Date window and number maxima of one validation run."""

    earliest: pd.Timestamp
    history_latest: pd.Timestamp
    plan_latest: pd.Timestamp
    max_quantity: float
    max_money: float
    max_measure: float

    def date_window(self, window: str) -> tuple[pd.Timestamp, pd.Timestamp]:
        """Facts that happened (``history``: sales, stock) may lie a few days ahead at most;
        plans (orders, promotions, events, indicators) some years."""
        latest = self.history_latest if window == "history" else self.plan_latest
        return self.earliest, latest

    def largest(self, scale: str) -> float:
        return {"quantity": self.max_quantity, "money": self.max_money}.get(scale, self.max_measure)


def input_bounds(today: dt.date | None = None) -> InputBounds:
    today = pd.Timestamp(today or dt.date.today())
    return InputBounds(
        earliest=pd.Timestamp(setting("IMPORT_DATE_MIN")),
        history_latest=today + pd.Timedelta(days=setting("IMPORT_HISTORY_DAYS_AHEAD")),
        plan_latest=today + pd.Timedelta(days=setting("IMPORT_PLAN_DAYS_AHEAD")),
        max_quantity=float(setting("IMPORT_MAX_QUANTITY")),
        max_money=float(setting("IMPORT_MAX_MONEY")),
        max_measure=float(setting("IMPORT_MAX_MEASURE")),
    )
