"""A seeded, realistic demo retailer for the demo and the tests."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "demo"
    verbose_name = "Demo company"

    def ready(self) -> None:
        from demo import jobs  # noqa: F401 - registers the demo-load job kind
