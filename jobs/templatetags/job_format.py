"""Template filters that show a job's timings and results the way people read them."""

import json

from django import template

register = template.Library()

INLINE_ITEMS = 12


@register.filter
def duration(seconds: float | None) -> str:
    """``0.4 s``, ``12.3 s``, ``4 min 05 s``, ``2 h 03 min``; a dash when unknown."""
    if seconds is None:
        return "—"
    seconds = float(seconds)
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


@register.filter
def megabytes(value: float | None) -> str:
    if value is None:
        return "—"
    if value >= 1024:
        return f"{value / 1024:.2f} GB"
    return f"{value:.0f} MB"


@register.filter
def is_nested(value: object) -> bool:
    return isinstance(value, dict | list)


@register.filter
def as_json(value: object) -> str:
    """Lists and mappings as indented JSON, the way a result's details read best."""
    return json.dumps(value, indent=2, ensure_ascii=False)


@register.filter
def inline_value(value: object) -> str:
    """A parameter on one line: lists joined by commas (a long one cut, with its length),
    mappings as compact JSON."""
    if isinstance(value, list):
        shown = ", ".join(str(item) for item in value[:INLINE_ITEMS])
        return shown if len(value) <= INLINE_ITEMS else f"{shown}, … ({len(value)} in all)"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
