"""Pages of the masterdata app: the data overview, store and SKU pages, admin edits."""

from django.urls import path

from masterdata import views

app_name = "masterdata"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("weekly-sales.json", views.weekly_sales, name="weekly_sales"),
    path("stores/<str:code>/", views.store_detail, name="store"),
    path("stores/<str:code>/edit/", views.store_edit, name="store_edit"),
    path("skus/<str:code>/", views.sku_detail, name="sku"),
    path("skus/<str:code>/edit/", views.sku_edit, name="sku_edit"),
]
