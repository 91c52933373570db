"""Pages of the jobs app."""

from django.urls import path

from jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("purge/", views.job_purge, name="purge"),
    path("notifications/", views.notifications, name="notifications"),
    path("limits/", views.job_limits, name="limits"),
]
