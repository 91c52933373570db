"""Read-only REST API of the sales, inventory and supply facts.

Every queryset comes from ``history.selectors`` with the request's ``Scope``, so a scoped
planner's token sees only facts in their scope and a fact outside it answers 404. Writes
arrive only through the import batch endpoints.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers

from history import selectors
from history.models import InventorySnapshot, SalesFact, SupplyOrder
from masterdata.api import ScopedReadViewSet


class SalesFactSerializer(serializers.ModelSerializer):
    store = serializers.CharField(source="store.code")
    sku = serializers.CharField(source="sku.code")

    class Meta:
        model = SalesFact
        fields = ["store", "sku", "date", "grain", "quantity", "revenue", "price", "on_promotion"]


class LocatedFactSerializer(serializers.ModelSerializer):
    """Facts at a store or a warehouse: one of the two codes is null."""

    store = serializers.CharField(source="store.code", allow_null=True, default=None)
    warehouse = serializers.CharField(source="warehouse.code", allow_null=True, default=None)
    sku = serializers.CharField(source="sku.code")


class InventorySnapshotSerializer(LocatedFactSerializer):
    class Meta:
        model = InventorySnapshot
        fields = ["store", "warehouse", "sku", "date", "on_hand", "on_order"]


class SupplyOrderSerializer(LocatedFactSerializer):
    class Meta:
        model = SupplyOrder
        fields = [
            "order_ref",
            "store",
            "warehouse",
            "sku",
            "ordered_on",
            "promised_on",
            "received_on",
            "quantity_ordered",
            "quantity_received",
        ]


class FactFilterSerializer(serializers.Serializer):
    """Query parameters shared by the fact endpoints; bad values answer 400 with the reason."""

    store = serializers.CharField(required=False, default="", help_text="Store code.")
    sku = serializers.CharField(required=False, default="", help_text="SKU code.")
    date_from = serializers.DateField(
        required=False, default=None, help_text="First date (YYYY-MM-DD)."
    )
    date_to = serializers.DateField(
        required=False, default=None, help_text="Last date (YYYY-MM-DD)."
    )

    def validate(self, attrs):
        if attrs["date_from"] and attrs["date_to"] and attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError("date_from is after date_to.")
        return attrs


FACT_FILTERS = [
    OpenApiParameter("store", OpenApiTypes.STR, description="Store code."),
    OpenApiParameter("sku", OpenApiTypes.STR, description="SKU code."),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="First date, inclusive."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Last date, inclusive."),
]


class FactViewSet(ScopedReadViewSet):
    """Facts filtered by ``store``, ``sku``, ``date_from`` and ``date_to``; paginated."""

    fact_selector = staticmethod(selectors.sales_facts)

    def get_queryset(self):
        if self.action != "list":
            return self.fact_selector(self.scope)
        params = FactFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return self.fact_selector(self.scope, **params.validated_data)


@extend_schema_view(list=extend_schema(parameters=FACT_FILTERS))
class SalesFactViewSet(FactViewSet):
    serializer_class = SalesFactSerializer
    fact_selector = staticmethod(selectors.sales_facts)


@extend_schema_view(list=extend_schema(parameters=FACT_FILTERS))
class InventorySnapshotViewSet(FactViewSet):
    serializer_class = InventorySnapshotSerializer
    fact_selector = staticmethod(selectors.inventory_snapshots)


@extend_schema_view(list=extend_schema(parameters=FACT_FILTERS))
class SupplyOrderViewSet(FactViewSet):
    serializer_class = SupplyOrderSerializer
    fact_selector = staticmethod(selectors.supply_orders)
