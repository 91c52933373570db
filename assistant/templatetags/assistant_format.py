"""Template helpers of the assistant's pages."""

from django import template
from django.conf import settings
from django.utils.html import json_script

register = template.Library()


@register.simple_tag
def text_model() -> str:
    """The text model answers are asked of (shown beside answers it wrote)."""
    return settings.OLLAMA_TEXT_MODEL


@register.simple_tag
def chart_data_script(message) -> str:
    """The numbers of a chart answer as a JSON script element named for its message, for
    the page's chart script to draw (escaped as ``json_script`` escapes)."""
    return json_script((message.chart or {}).get("data") or {}, f"chart-data-{message.pk}")


@register.filter
def spec_items(spec: dict | None) -> list[str]:
    """A chart specification as ``field=value`` texts (lists comma-joined, empty fields left
    out), to show beside the chart it drew."""
    items = []
    for key, value in (spec or {}).items():
        if value in (None, "", [], {}, False):
            continue
        if isinstance(value, dict):
            value = "; ".join(f"{k}: {', '.join(v)}" for k, v in value.items())
        elif isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        items.append(f"{key}={value}")
    return items
