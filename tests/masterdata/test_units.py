"""Amounts carry the company's currency, quantities their unit, and empty is never zero."""

from masterdata.templatetags.units import money_text, units_text


def test_money_uses_symbol_or_code():
    assert money_text(12340.4, "EUR") == "€12,340"
    assert money_text(-5, "USD") == "−$5"
    assert money_text(1500, "CHF") == "1,500 CHF"


def test_missing_values_show_a_dash():
    assert money_text(None, "EUR") == "—"
    assert units_text(float("nan")) == "—"
    assert units_text("") == "—"


def test_units_text():
    assert units_text(1234.4) == "1,234 units"
    assert units_text(3, "cases") == "3 cases"
