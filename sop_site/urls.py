"""URL routing: one include per app, the API under /api/v1/."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from dashboards.urls import data_urlpatterns
from masterdata.urls import urlpatterns as masterdata_urlpatterns

urlpatterns = [
    path("", include("dashboards.urls")),
    path("", include("accounts.urls")),
    # /data/: the data overview (a dashboard) and the store and SKU pages, one namespace.
    path("data/", include((data_urlpatterns + masterdata_urlpatterns, "masterdata"))),
    path("imports/", include("imports.urls")),
    path("jobs/", include("jobs.urls")),
    path("audit/", include("audit.urls")),
    path("forecasts/", include("forecasting.urls")),
    path("inventory/", include("inventory.urls")),
    path("alerts/", include("anomalies.urls")),
    path("planning/", include("planning.urls")),
    path("pilots/", include("pilots.urls")),
    path("assistant/", include("assistant.urls")),
    path("api/v1/", include("sop_site.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("django-admin/", admin.site.urls),
]
