"""Template helpers of the assistant's pages."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def text_model() -> str:
    """The text model answers are asked of (shown beside answers it wrote)."""
    return settings.OLLAMA_TEXT_MODEL
