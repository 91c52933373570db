"""Pages of the imports app."""

from django.urls import path

from imports import views

app_name = "imports"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("recent/", views.import_list, name="list"),
]
