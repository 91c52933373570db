"""URL routing: one include per app, the API under /api/v1/."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

urlpatterns = [
    path("", include("accounts.urls")),
    path("data/", include("masterdata.urls")),
    path("imports/", include("imports.urls")),
    path("jobs/", include("jobs.urls")),
    path("audit/", include("audit.urls")),
    path("forecasts/", include("forecasting.urls")),
    path("api/v1/", include("sop_site.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("django-admin/", admin.site.urls),
]
