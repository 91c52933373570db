"""Pages of the forecasting app: the explorer, pins, starting a run, and accuracy."""

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
]
