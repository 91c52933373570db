"""Pages of the inventory app: the replenishment worklist and its decisions, starting a plan,
a store × SKU's policy and the inventory health dashboard."""

from django.urls import path

from inventory import views

app_name = "inventory"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("plan/", views.plan, name="plan"),
    path("plan/<int:pk>/progress/", views.plan_progress, name="plan_progress"),
    path("recommendations/<int:pk>/decide/", views.decide, name="decide"),
    path("recommendations/decide/", views.decide_bulk, name="decide_bulk"),
    path("policy/<int:store_pk>/<int:sku_pk>/", views.policy, name="policy"),
    path("health/", views.health, name="health"),
]
