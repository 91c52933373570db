"""Template filters for forecast figures kept as fractions: accuracy, WAPE, bias, FVA."""

from __future__ import annotations

import math

from django import template

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
