"""Data import from files and the API, all-or-nothing with a row-by-row report."""

from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = "Data import"

    def ready(self) -> None:
        from imports import jobs  # noqa: F401 - registers the import job kind
