"""Read-only REST API of master data: regions, warehouses, stores, categories and SKUs.

Every queryset comes from ``masterdata.selectors`` with the request's ``Scope``, so a scoped
planner's token sees only their scope and an object outside it answers 404. Writes arrive
only through the import batch endpoints.
"""

from __future__ import annotations

from rest_framework import serializers, viewsets

from accounts.roles import READ_ROLES, HasRole
from accounts.scoping import Scope
from masterdata import selectors
from masterdata.models import SKU, Category, Region, Store, Warehouse

# Any stored code, including one with a "/" (older imports allowed it); these viewsets have
# no extra routes below the detail one that a greedy pattern could shadow.
CODE_REGEX = r".+"


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


class ScopedReadViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only for every role; querysets go through ``self.scope``."""

    permission_classes = [HasRole]
    read_roles = READ_ROLES
    allowed_roles: tuple[str, ...] = ()

    @property
    def scope(self) -> Scope:
        if getattr(self, "swagger_fake_view", False):
            return Scope.nothing()  # the schema generator's request: only the model matters
        return self.request.scope


class CodeLookupViewSet(ScopedReadViewSet):
    lookup_field = "code"
    lookup_value_regex = CODE_REGEX


class RegionViewSet(CodeLookupViewSet):
    serializer_class = RegionSerializer

    def get_queryset(self):
        return selectors.region_list(self.scope).order_by("code")


class WarehouseViewSet(CodeLookupViewSet):
    serializer_class = WarehouseSerializer

    def get_queryset(self):
        return selectors.warehouse_list(self.scope).order_by("code")


class StoreViewSet(CodeLookupViewSet):
    serializer_class = StoreSerializer

    def get_queryset(self):
        return selectors.store_list(self.scope).order_by("code")


class CategoryViewSet(CodeLookupViewSet):
    serializer_class = CategorySerializer

    def get_queryset(self):
        return selectors.category_list(self.scope).order_by("code")


class SKUViewSet(CodeLookupViewSet):
    serializer_class = SKUSerializer

    def get_queryset(self):
        return selectors.sku_list(self.scope).order_by("code")
