"""Number formatting for KPI tiles: 1 234 567 reads as 1.23M at a glance."""

from django import template

register = template.Library()

SUFFIXES = ((1e9, "B"), (1e6, "M"), (1e3, "k"))


@register.filter
def compact(value) -> str:
    """A number shortened with k/M/B; empty for missing values so ``default`` applies."""
    if value is None or value == "":
        return ""
    number = float(value)
    for threshold, suffix in SUFFIXES:
        if abs(number) >= threshold:
            return f"{number / threshold:.3g}{suffix}"
    return f"{number:.3g}" if abs(number) < 100 else f"{number:.0f}"
