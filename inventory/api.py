"""Read API of replenishment recommendations, for the ERP: scoped, filtered by status and
order date; approved ones carry the final quantity to order.

The querysets come from ``inventory.selectors`` with the token's scope, so a scoped planner's
token sees only their stores, warehouses and categories, and one outside answers 404.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers

from inventory import selectors
from inventory.models import Recommendation, RecommendationStatus
from masterdata.api import ScopedReadViewSet

APPROVED = "approved"


class RecommendationSerializer(serializers.ModelSerializer):
    store = serializers.CharField(source="store.code", allow_null=True, default=None)
    warehouse = serializers.CharField(source="warehouse.code", allow_null=True, default=None)
    source_warehouse = serializers.CharField(
        source="source_warehouse.code", allow_null=True, default=None
    )
    sku = serializers.CharField(source="sku.code")
    case_pack = serializers.IntegerField(source="sku.case_pack")
    quantity_to_order = serializers.SerializerMethodField(
        help_text="Units to order: the approved quantity; null until approved."
    )
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, default=None)

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "store",
            "warehouse",
            "source_warehouse",
            "sku",
            "order_date",
            "arrival_date",
            "quantity",
            "final_quantity",
            "quantity_to_order",
            "case_pack",
            "cost",
            "reason",
            "status",
            "decided_by",
            "decided_at",
            "version",
        ]

    def get_quantity_to_order(self, rec: Recommendation) -> float | None:
        if rec.status in selectors.APPROVED:
            return rec.final_quantity if rec.final_quantity is not None else rec.quantity
        return None


class RecommendationFilterSerializer(serializers.Serializer):
    """Query parameters; bad values answer 400 with the reason."""

    status = serializers.ChoiceField(
        choices=[*RecommendationStatus.values, APPROVED], required=False, default=""
    )
    order_from = serializers.DateField(required=False, default=None)
    order_to = serializers.DateField(required=False, default=None)
    store = serializers.CharField(required=False, default="")
    sku = serializers.CharField(required=False, default="")

    def validate(self, data):
        if data["order_from"] and data["order_to"] and data["order_from"] > data["order_to"]:
            raise serializers.ValidationError("order_from is after order_to.")
        return data


FILTERS = [
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        enum=[*RecommendationStatus.values, APPROVED],
        description="A status; 'approved' is accepted or accepted with changes.",
    ),
    OpenApiParameter("order_from", OpenApiTypes.DATE, description="Order date from (inclusive)."),
    OpenApiParameter("order_to", OpenApiTypes.DATE, description="Order date until (inclusive)."),
    OpenApiParameter("store", OpenApiTypes.STR, description="Store code."),
    OpenApiParameter("sku", OpenApiTypes.STR, description="SKU code."),
]


@extend_schema_view(list=extend_schema(parameters=FILTERS))
class RecommendationViewSet(ScopedReadViewSet):
    """Order recommendations by order date; ``status=approved`` lists what to order, with
    ``quantity_to_order`` the planner's final quantity."""

    serializer_class = RecommendationSerializer

    def get_queryset(self):
        rows = selectors.recommendations_in_scope(scope=self.scope).order_by("order_date", "pk")
        if self.action != "list":
            return rows
        params = RecommendationFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        if data["status"] == APPROVED:
            rows = rows.filter(status__in=selectors.APPROVED)
        elif data["status"]:
            rows = rows.filter(status=data["status"])
        if data["order_from"]:
            rows = rows.filter(order_date__gte=data["order_from"])
        if data["order_to"]:
            rows = rows.filter(order_date__lte=data["order_to"])
        if data["store"]:
            rows = rows.filter(store__code=data["store"])
        if data["sku"]:
            rows = rows.filter(sku__code=data["sku"])
        return rows
