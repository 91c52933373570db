"""Numbers as people read them: amounts with the company's currency, quantities with units.

``{% load units %}`` then ``{{ revenue|money:company.currency }}`` → "€12,340" and
``{{ quantity|units }}`` → "1,234 units" (``company`` comes from the context processor
``masterdata.context_processors.company``). Empty values show as "—", never as "0".
"""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CNY": "¥", "INR": "₹"}
MISSING = "—"


def _number(value: object) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value if not isinstance(value, Decimal) else float(value))
    except (TypeError, ValueError):
        return None
    return None if number != number else number  # NaN reads as missing


def money_text(value: object, currency: str = "EUR", decimals: int = 0) -> str:
    """``value`` as an amount in ``currency``: a symbol where one is common, else the code."""
    number = _number(value)
    if number is None:
        return MISSING
    digits = f"{abs(number):,.{decimals}f}"
    sign = "−" if number < 0 and float(digits.replace(",", "")) else ""
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{sign}{symbol}{digits}" if symbol else f"{sign}{digits} {currency}"


def units_text(value: object, unit: str = "units", decimals: int = 0) -> str:
    """``value`` as a quantity followed by its unit."""
    number = _number(value)
    if number is None:
        return MISSING
    return f"{number:,.{decimals}f} {unit}"


@register.filter
def money(value: object, currency: str = "EUR") -> str:
    return money_text(value, currency or "EUR")


@register.filter
def units(value: object, unit: str = "units") -> str:
    return units_text(value, unit or "units")
