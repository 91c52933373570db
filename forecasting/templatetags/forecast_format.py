"""Template filters for forecast figures: fractions (accuracy, WAPE, bias, FVA), ratios and
model names."""

from __future__ import annotations

import math

from django import template

from forecasting.explanation import model_label
from forecasting.explorer import measure_unit
from masterdata.templatetags.units import money_text, units_text

TABLE_FIGURES = ("forecast", "p10", "p90", "last_year", "actual")

register = template.Library()


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


@register.filter
def percent(value, digits: int = 1) -> str:
    """0.734 → "73.4 %"; missing values as a dash."""
    number = _number(value)
    return "—" if number is None else f"{number * 100:.{int(digits)}f} %"


@register.filter
def signed_points(value, digits: int = 1) -> str:
    """A difference of fractions in percentage points with its sign: 0.041 → "+4.1 pts"."""
    number = _number(value)
    return "—" if number is None else f"{number * 100:+.{int(digits)}f} pts"


@register.filter
def signed_percent(value, digits: int = 1) -> str:
    """A bias as a signed percentage: -0.052 → "−5.2 %"."""
    number = _number(value)
    return "—" if number is None else f"{number * 100:+.{int(digits)}f} %".replace("-", "−")


@register.filter
def ratio(value, digits: int = 2) -> str:
    """A ratio such as ADI or CV² with ``digits`` decimals; ADI is infinite for a series
    that never sold."""
    number = _number(value)
    if number is None:
        return "—"
    if math.isinf(number):
        return "∞ (never sold)"
    return f"{number:.{int(digits)}f}"


@register.filter
def error_value(value, kind: str) -> str:
    """A backtest error written as its leaderboard column says (see
    ``forecasting.explanation.ERROR_COLUMNS``)."""
    if kind == "percent":
        return percent(value)
    if kind == "signed_percent":
        return signed_percent(value)
    return ratio(value, 3)


@register.filter
def model_name(name: str) -> str:
    """A model or blend name for people: ``combo:ets+lightgbm`` → "Blend of ETS + LightGBM"."""
    return model_label(name)


@register.filter
def table_values(row: dict) -> list:
    """A forecast table row's figures in column order."""
    return [row[key] for key in TABLE_FIGURES]


@register.filter
def amount(value, unit: str = "units") -> str:
    """A forecast figure with its unit: "units", or a currency code for a sales value.
    Small figures keep a decimal (a slow seller's 0.4 units a day is not "0 units")."""
    number = _number(value)
    decimals = 0 if number is not None and abs(number) >= 100 else 1
    if unit == "units":
        return units_text(value, "units", decimals)
    return money_text(value, unit, 2 * decimals)


@register.filter
def amount_unit(measure: str, currency: str) -> str:
    """The unit the explorer's figures are in: "units", or the company currency."""
    return measure_unit(measure, currency)
