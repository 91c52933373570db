"""The assistant's pages under /assistant/."""

from django.urls import path

from assistant import views

app_name = "assistant"

urlpatterns = [
    path("", views.index, name="index"),
    path("ask/", views.ask, name="ask"),
    path("conversations/<int:pk>/", views.conversation_detail, name="conversation"),
    path("conversations/<int:pk>/ask/", views.ask, name="ask_more"),
    path("conversations/<int:pk>/delete/", views.conversation_delete_view, name="delete"),
    path("messages/<int:pk>/", views.message_detail, name="message"),
    path("messages/<int:pk>/chart/", views.message_chart, name="chart"),
    path("summaries/", views.summaries, name="summaries"),
    path("summaries/<int:pk>/", views.summary_detail, name="summary"),
    path("health/", views.ollama_health_view, name="health"),
    path("import/", views.import_help, name="import_help"),
    path("import/<str:token>/", views.import_mapping, name="import_mapping"),
]
