"""The planning assistant: grounded answers, charts and summaries on the company's own LLM."""

from django.apps import AppConfig


class AssistantConfig(AppConfig):
    name = "assistant"
    verbose_name = "Planning assistant"

    def ready(self) -> None:
        from assistant import jobs  # noqa: F401 - registers the answer and summary job kinds
