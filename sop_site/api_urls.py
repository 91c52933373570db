"""REST API v1 routes, one router for every app's viewsets."""

from rest_framework.routers import DefaultRouter

from masterdata import api as masterdata_api

router = DefaultRouter()
# Read API (masterdata.api): master data by code, facts by id, all within the user's scope.
router.register("regions", masterdata_api.RegionViewSet, basename="region")
router.register("warehouses", masterdata_api.WarehouseViewSet, basename="warehouse")
router.register("stores", masterdata_api.StoreViewSet, basename="store")
router.register("categories", masterdata_api.CategoryViewSet, basename="category")
router.register("skus", masterdata_api.SKUViewSet, basename="sku")
router.register("sales", masterdata_api.SalesFactViewSet, basename="sales-fact")
router.register("inventory", masterdata_api.InventorySnapshotViewSet, basename="inventory-snapshot")
router.register("supply-orders", masterdata_api.SupplyOrderViewSet, basename="supply-order")
urlpatterns = router.urls
