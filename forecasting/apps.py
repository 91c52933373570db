"""Statistical demand forecasts per store x SKU with model selection."""

from django.apps import AppConfig


class ForecastingConfig(AppConfig):
    name = "forecasting"
    verbose_name = "Demand forecasting"

    def ready(self) -> None:
        from forecasting import jobs  # noqa: F401 - registers the forecast job kind
