"""The approved plan for the ERP: read-only, scoped, by cycle month.

``GET /api/v1/approved-plan/?month=2026-12`` lists the lines of the month's approved
version (the newest approved one when a cycle was reopened and approved again) in the
token's scope, store × SKU × week in units; without ``month``, the newest signed-off cycle.
A line outside the scope answers 404.
"""

from __future__ import annotations

from datetime import datetime

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers

from masterdata.api import ScopedReadViewSet
from planning import selectors
from planning.models import PlanLine


class ApprovedLineSerializer(serializers.ModelSerializer):
    month = serializers.DateField(source="plan_version.cycle.month", format="%Y-%m")
    version = serializers.IntegerField(source="plan_version.number")
    store = serializers.CharField(source="store.code")
    sku = serializers.CharField(source="sku.code")
    quantity = serializers.FloatField(help_text="The approved plan, units.")

    class Meta:
        model = PlanLine
        fields = ["id", "month", "version", "store", "sku", "week", "quantity", "statistical"]


class MonthSerializer(serializers.Serializer):
    month = serializers.CharField(required=False, default="", help_text="YYYY-MM.")

    def validate_month(self, value: str):
        if not value:
            return None
        try:
            return datetime.strptime(value, "%Y-%m").date()
        except ValueError as exc:
            raise serializers.ValidationError("Give the month as YYYY-MM, e.g. 2026-12.") from exc


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "month", OpenApiTypes.STR, description="YYYY-MM; the newest approved when omitted."
            )
        ]
    )
)
class ApprovedPlanViewSet(ScopedReadViewSet):
    """Lines of the approved plan, by store, SKU and week."""

    serializer_class = ApprovedLineSerializer

    def get_queryset(self):
        lines = selectors.approved_plan_lines(scope=self.scope)
        if self.action == "list":
            params = MonthSerializer(data=self.request.query_params)
            params.is_valid(raise_exception=True)
            version = selectors.approved_version(month=params.validated_data["month"])
            lines = lines.filter(plan_version=version) if version else lines.none()
        return lines.select_related("plan_version__cycle", "store", "sku").order_by(
            "store__code", "sku__code", "week"
        )
