"""REST API v1 routes, one router for every app's viewsets."""

from rest_framework.routers import DefaultRouter

from anomalies import api as anomalies_api
from forecasting import api as forecasting_api
from history import api as history_api
from imports import api as imports_api
from inventory import api as inventory_api
from masterdata import api as masterdata_api
from planning import api as planning_api

router = DefaultRouter()
# Read API (masterdata.api, history.api): master data by code, facts by id, all in scope.
router.register("regions", masterdata_api.RegionViewSet, basename="region")
router.register("warehouses", masterdata_api.WarehouseViewSet, basename="warehouse")
router.register("stores", masterdata_api.StoreViewSet, basename="store")
router.register("categories", masterdata_api.CategoryViewSet, basename="category")
router.register("skus", masterdata_api.SKUViewSet, basename="sku")
router.register("sales", history_api.SalesFactViewSet, basename="sales-fact")
router.register("inventory", history_api.InventorySnapshotViewSet, basename="inventory-snapshot")
router.register("supply-orders", history_api.SupplyOrderViewSet, basename="supply-order")
# Batch import API (imports.api): POST lists of rows, all-or-nothing, with a row report.
router.register("imports/sales", imports_api.SalesImportViewSet, basename="import-sales")
router.register(
    "imports/inventory", imports_api.InventoryImportViewSet, basename="import-inventory"
)
router.register(
    "imports/supply-orders", imports_api.SupplyOrderImportViewSet, basename="import-supply-orders"
)
router.register("imports/closures", imports_api.ClosureImportViewSet, basename="import-closures")
# Read API (forecasting.api): stored forecasts and each series' selected model, in scope.
router.register("forecasts", forecasting_api.ForecastViewSet, basename="forecast")
router.register(
    "forecast-selections", forecasting_api.ForecastSelectionViewSet, basename="forecast-selection"
)
# Read API (inventory.api): replenishment recommendations for the ERP, in scope.
router.register("recommendations", inventory_api.RecommendationViewSet, basename="recommendation")
# Alerts (anomalies.api): read in scope; planners and admins post verdicts.
router.register("alerts", anomalies_api.AlertViewSet, basename="alert")
# The approved S&OP plan for the ERP (planning.api), in scope.
router.register("approved-plan", planning_api.ApprovedPlanViewSet, basename="approved-plan")
urlpatterns = router.urls
