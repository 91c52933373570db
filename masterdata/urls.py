"""Pages of the masterdata app: SKU pages and the store and SKU admin edits.

They sit under ``/data/`` in the ``masterdata`` namespace together with the data overview
the store pages and the chart JSON, which the dashboards app serves (see ``sop_site/urls.py``).
"""

from django.urls import path

from masterdata import views

urlpatterns = [
    path("stores/<str:code>/edit/", views.store_edit, name="store_edit"),
    path("skus/<str:code>/", views.sku_detail, name="sku"),
    path("skus/<str:code>/edit/", views.sku_edit, name="sku_edit"),
]
