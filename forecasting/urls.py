"""Pages of the forecasting app: the explorer, pins, starting a run, accuracy, and the
lists of forecasts and accuracy exceptions."""

from django.urls import path

from forecasting import views

app_name = "forecasting"
urlpatterns = [
    path("", views.explorer, name="explorer"),
    path("export.<str:fmt>", views.explorer_export, name="explorer_export"),
    path("pins/", views.pin_set, name="pin_set"),
    path("pins/<int:pk>/clear/", views.pin_clear, name="pin_clear"),
    path("run/", views.run, name="run"),
    path("accuracy/", views.accuracy, name="accuracy"),
    path("list/", views.forecast_list, name="forecast_list"),
    path("accuracy/exceptions/", views.accuracy_exception_list, name="accuracy_exceptions"),
]
