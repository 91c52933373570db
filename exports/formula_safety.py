"""Keeping imported text harmless when it is exported again to a spreadsheet.

Imports store text exactly as given; every CSV/XLSX export passes cell text through
``neutralise_formula`` so that a value such as ``=HYPERLINK(...)`` is shown as text instead of
being run as a formula by Excel or LibreOffice (CSV/formula injection).
"""

from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text: object) -> object:
    """``text`` with a leading apostrophe when a spreadsheet would read it as a formula.

    Non-text values (numbers, dates, None) pass through unchanged, so a negative number stays
    a number; only strings starting with ``= + - @`` (or a tab/carriage return, which some
    spreadsheets skip before such a character) are prefixed.
    """
    if isinstance(text, str) and text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text
