"""The home page at ``/``; the data overview, store pages and chart JSON under ``/data/``.

``data_urlpatterns`` join the store and SKU pages in the ``masterdata`` namespace (composed
in ``sop_site/urls.py``), so ``/data/`` and its URL names stay what links and clients know.
"""

from django.urls import path

from dashboards import views

urlpatterns = [
    path("", views.home, name="home"),
]

data_urlpatterns = [
    path("", views.data_overview, name="overview"),
    path("weekly-sales.json", views.weekly_sales, name="weekly_sales"),
    # By id, so that any stored code works, even one with "/" from an older import.
    path("stores/<int:pk>/", views.store_detail, name="store"),
    path("skus/<int:pk>/", views.sku_detail, name="sku"),
]
