"""Pages of the anomalies app under ``/alerts/``."""

from django.urls import path

from anomalies import views

app_name = "anomalies"
urlpatterns = [
    path("", views.alert_list, name="inbox"),
    path("bulk/", views.alert_bulk, name="bulk"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("notifications/", views.notifications, name="notifications"),
    path("<int:pk>/", views.alert_detail, name="alert"),
    path("<int:pk>/action/", views.alert_action, name="action"),
    path("<int:pk>/comment/", views.alert_comment, name="comment"),
]
