"""Read-only REST API of stored forecasts and of the model selected for each series.

Querysets come from ``forecasting.selectors``, so a scoped planner's token sees only the
series in their scope, and a forecast or selection outside it answers 404.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers

from forecasting import selectors
from forecasting.models import Forecast, Granularity, SeriesModel
from masterdata.api import ScopedReadViewSet


class ForecastSerializer(serializers.ModelSerializer):
    store = serializers.CharField(source="store.code")
    sku = serializers.CharField(source="sku.code")

    class Meta:
        model = Forecast
        fields = [
            "id",
            "store",
            "sku",
            "granularity",
            "origin",
            "date",
            "forecast",
            "p10",
            "p50",
            "p90",
            "model",
        ]


class SeriesModelSerializer(serializers.ModelSerializer):
    store = serializers.CharField(source="store.code")
    sku = serializers.CharField(source="sku.code")

    class Meta:
        model = SeriesModel
        fields = [
            "id",
            "store",
            "sku",
            "granularity",
            "model",
            "blend",
            "demand_class",
            "adi",
            "cv2",
            "fallback_reason",
            "pinned",
            "pin_cost",
            "fva_vs_seasonal_naive",
        ]


class SeriesFilterSerializer(serializers.Serializer):
    """Query parameters; bad values answer 400 with the reason."""

    store = serializers.CharField(required=False, default="", help_text="Store code.")
    sku = serializers.CharField(required=False, default="", help_text="SKU code.")
    granularity = serializers.ChoiceField(
        choices=Granularity.choices, required=False, default=Granularity.DAILY
    )


class ForecastFilterSerializer(SeriesFilterSerializer):
    origin = serializers.DateField(
        required=False, default=None, help_text="Forecast origin; the latest when omitted."
    )


SERIES_FILTERS = [
    OpenApiParameter("store", OpenApiTypes.STR, description="Store code."),
    OpenApiParameter("sku", OpenApiTypes.STR, description="SKU code."),
    OpenApiParameter(
        "granularity", OpenApiTypes.STR, enum=["D", "W"], description="D (daily, default) or W."
    ),
]
FORECAST_FILTERS = [
    *SERIES_FILTERS,
    OpenApiParameter(
        "origin", OpenApiTypes.DATE, description="Forecast origin; the latest when omitted."
    ),
]


def _by_codes(queryset, params: dict):
    if params["store"]:
        queryset = queryset.filter(store__code=params["store"])
    if params["sku"]:
        queryset = queryset.filter(sku__code=params["sku"])
    return queryset


@extend_schema_view(list=extend_schema(parameters=FORECAST_FILTERS))
class ForecastViewSet(ScopedReadViewSet):
    """Forecasts of one origin (the latest unless ``origin`` is given), by date."""

    serializer_class = ForecastSerializer

    def get_queryset(self):
        if self.action != "list":
            return selectors.forecast_rows_in_scope(scope=self.scope)
        params = ForecastFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        rows = selectors.forecasts_in_scope(
            scope=self.scope, granularity=data["granularity"], origin=data["origin"]
        )
        return (
            _by_codes(rows, data)
            .select_related("store", "sku")
            .order_by("store__code", "sku__code", "date")
        )


@extend_schema_view(list=extend_schema(parameters=SERIES_FILTERS))
class ForecastSelectionViewSet(ScopedReadViewSet):
    """The model selected for each series, with its demand class and value added."""

    serializer_class = SeriesModelSerializer

    def get_queryset(self):
        if self.action != "list":
            return selectors.selections_all_in_scope(scope=self.scope)
        params = SeriesFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        rows = selectors.selections_in_scope(scope=self.scope, granularity=data["granularity"])
        return (
            _by_codes(rows, data)
            .select_related("store", "sku")
            .order_by("store__code", "sku__code")
        )
