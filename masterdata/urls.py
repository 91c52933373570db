"""Pages of the masterdata app: the store and SKU lists and admin edits.

They sit under ``/data/`` in the ``masterdata`` namespace together with the data overview,
the store and SKU pages and the chart JSON, which the dashboards app serves (see
``sop_site/urls.py``).
"""

from django.urls import path

from masterdata import views

urlpatterns = [
    path("stores/", views.store_list, name="store_list"),
    path("skus/", views.sku_list, name="sku_list"),
    # By id, so that any stored code works, even one with "/" from an older import.
    path("stores/<int:pk>/edit/", views.store_edit, name="store_edit"),
    path("skus/<int:pk>/edit/", views.sku_edit, name="sku_edit"),
]
