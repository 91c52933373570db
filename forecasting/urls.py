"""Pages of the forecasting app."""

from django.urls import path  # noqa: F401

app_name = "forecasting"
urlpatterns: list = []
