"""Read-only REST API of master data and of the sales, inventory and supply facts keyed by it.

Every queryset comes from ``masterdata.selectors``, so a scoped planner's token sees only
their scope and an object outside it answers 404. Writes arrive only through the import
batch endpoints.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from accounts.roles import READ_ROLES, HasRole
from history.models import InventorySnapshot, SalesFact, SupplyOrder
from masterdata import selectors
from masterdata.models import SKU, Category, Region, Store, Warehouse

CODE_REGEX = r"[^/]+"


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name"]


class WarehouseSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.code")

    class Meta:
        model = Warehouse
        fields = ["code", "name", "region"]


class StoreSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.code")
    warehouse = serializers.CharField(source="warehouse.code", allow_null=True, default=None)

    class Meta:
        model = Store
        fields = [
            "code",
            "name",
            "region",
            "store_format",
            "floor_area_m2",
            "warehouse",
            "opened_on",
        ]


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent.code", allow_null=True, default=None)

    class Meta:
        model = Category
        fields = ["code", "name", "parent"]


class SKUSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.code")

    class Meta:
        model = SKU
        fields = [
            "code",
            "name",
            "category",
            "unit_cost",
            "unit_price",
            "lead_time_days",
            "min_order_qty",
            "case_pack",
            "shelf_life_days",
            "is_active",
            "launched_on",
            "discontinued_on",
        ]


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


class ScopedReadViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only for every role; the queryset is the user's scope."""

    permission_classes = [HasRole]
    read_roles = READ_ROLES
    allowed_roles: tuple[str, ...] = ()


class CodeLookupViewSet(ScopedReadViewSet):
    lookup_field = "code"
    lookup_value_regex = CODE_REGEX


class RegionViewSet(CodeLookupViewSet):
    serializer_class = RegionSerializer

    def get_queryset(self):
        return selectors.region_list(self.request.user).order_by("code")


class WarehouseViewSet(CodeLookupViewSet):
    serializer_class = WarehouseSerializer

    def get_queryset(self):
        return selectors.warehouse_list(self.request.user).order_by("code")


class StoreViewSet(CodeLookupViewSet):
    serializer_class = StoreSerializer

    def get_queryset(self):
        return selectors.store_list(self.request.user).order_by("code")


class CategoryViewSet(CodeLookupViewSet):
    serializer_class = CategorySerializer

    def get_queryset(self):
        return selectors.category_list(self.request.user).order_by("code")


class SKUViewSet(CodeLookupViewSet):
    serializer_class = SKUSerializer

    def get_queryset(self):
        return selectors.sku_list(self.request.user).order_by("code")


class FactViewSet(ScopedReadViewSet):
    """Facts filtered by ``store``, ``sku``, ``date_from`` and ``date_to``; paginated."""

    fact_selector = staticmethod(selectors.sales_facts)

    def get_queryset(self):
        if self.action != "list":
            return self.fact_selector(self.request.user)
        params = FactFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return self.fact_selector(self.request.user, **params.validated_data)


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
