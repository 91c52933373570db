"""Pages of the masterdata app: the data overview, store and SKU pages, admin edits."""

from django.urls import path

from masterdata import views

app_name = "masterdata"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("weekly-sales.json", views.weekly_sales, name="weekly_sales"),
    # By id, so that any stored code works, even one with "/" from an older import.
    path("stores/<int:pk>/", views.store_detail, name="store"),
    path("stores/<int:pk>/edit/", views.store_edit, name="store_edit"),
    path("skus/<int:pk>/", views.sku_detail, name="sku"),
    path("skus/<int:pk>/edit/", views.sku_edit, name="sku_edit"),
]
