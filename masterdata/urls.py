"""Pages of the masterdata app."""

from django.urls import path  # noqa: F401

app_name = "masterdata"
urlpatterns: list = []
