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
