"""A pilot KPI's figures with their unit: shares in per cent (differences in points), money
per store-day in the company's currency, counts and rates with their words."""

from __future__ import annotations

import math

from django import template

from masterdata.templatetags.units import money_text

register = template.Library()
MISSING = "—"


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


UNIT_WORDS = {
    "money_per_day": "per store-day",
    "per_year": "turns a year",
    "per_day": "series out per day",
}


@register.simple_tag
def kpi_unit_words(unit: str, currency: str = "EUR") -> str:
    """What a KPI's numbers are in, for a table that shows them bare."""
    if unit == "share":
        return "%"
    words = UNIT_WORDS.get(unit, "")
    return f"{currency} {words}" if unit == "money_per_day" else words


def _with_words(text: str, unit: str, short: bool) -> str:
    return text if short or unit == "share" else f"{text} {UNIT_WORDS[unit]}"


@register.simple_tag
def kpi_value(value, unit: str, currency: str = "EUR", short: bool = False) -> str:
    """A KPI's level: 0.734 → "73.4 %", 12.5 → "€12.50 per store-day" (``short``: no words)."""
    number = _number(value)
    if number is None:
        return MISSING
    if unit == "share":
        return f"{number * 100:.1f} %"
    if unit == "money_per_day":
        return _with_words(money_text(number, currency, 2), unit, short)
    digits = 1 if unit == "per_year" else 2
    return _with_words(f"{number:.{digits}f}", unit, short)


@register.simple_tag
def kpi_difference(value, unit: str, currency: str = "EUR", short: bool = False) -> str:
    """A difference of a KPI's levels, signed: 0.021 → "+2.1 pts"."""
    number = _number(value)
    if number is None:
        return MISSING
    sign = "+" if number > 0 else "−" if number < 0 else "±"
    size = abs(number)
    if unit == "share":
        return f"{sign}{size * 100:.1f} pts"
    if unit == "money_per_day":
        return _with_words(f"{sign}{money_text(size, currency, 2)}", unit, short)
    return _with_words(f"{sign}{size:.2f}", unit, short)


@register.simple_tag
def kpi_size(value, unit: str, currency: str = "EUR") -> str:
    """The size of a difference, unsigned (a minimum detectable effect)."""
    number = _number(value)
    if number is None:
        return MISSING
    return kpi_difference(abs(number), unit, currency).lstrip("+±")


@register.filter
def relative(value) -> str:
    """A relative change: -0.1 → "−10.0 %"."""
    number = _number(value)
    if number is None:
        return MISSING
    return f"{number * 100:+.1f} %".replace("-", "−")


@register.filter
def p_value(value) -> str:
    number = _number(value)
    if number is None:
        return MISSING
    return "< 0.001" if number < 0.001 else f"{number:.3f}"


@register.filter
def percent_plain(value) -> str:
    """An absolute share: 0.95 → "95 %"."""
    number = _number(value)
    return MISSING if number is None else f"{number * 100:.0f} %"


@register.filter
def passed_count(results) -> int:
    return sum(1 for r in results if r.passes)


@register.filter
def measured_count(results) -> int:
    return sum(1 for r in results if r.passes is not None)
