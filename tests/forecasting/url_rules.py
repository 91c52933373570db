"""Who may open the forecasting pages and the forecast read API.

Planners and admins explore forecasts, pin models and start runs; every role reads the
accuracy page, the forecast and accuracy exception lists and the API. A scoped planner
gets 404 for pins and API rows of series outside their scope (the explorer's out-of-scope
answers are in ``test_views.py``: its members arrive in the query string, which the matrix
does not vary).
"""

from tests.forecasting.factories import ForecastFactory, ModelPinFactory, SeriesModelFactory
from tests.permissions import ALL_ROLES, PLANNING_ROLES, UrlRule


def extend_world(world) -> None:
    for side in ("in", "out"):
        store, sku = world[f"store_{side}"], world[f"sku_{side}"]
        world[f"forecast_{side}"] = ForecastFactory(store=store, sku=sku)
        world[f"selection_{side}"] = SeriesModelFactory(store=store, sku=sku)
        world[f"pin_{side}"] = ModelPinFactory(store=store, sku=sku)


def _pk(key: str):
    return lambda world: {"pk": world[key].pk}


URL_RULES = [
    UrlRule("forecasting:explorer", PLANNING_ROLES),
    UrlRule("forecasting:explorer_export", PLANNING_ROLES, kwargs=lambda world: {"fmt": "csv"}),
    UrlRule("forecasting:accuracy", ALL_ROLES),
    UrlRule("forecasting:forecast_list", ALL_ROLES),
    UrlRule("forecasting:accuracy_exceptions", ALL_ROLES),
    UrlRule(
        "forecasting:pin_set",
        PLANNING_ROLES,
        method="POST",
        data={"granularity": "D", "store": "N1", "sku": "COLA", "model": "naive"},
        out_of_scope_data=lambda w: {
            "granularity": "D",
            "store": "S1",
            "sku": "CHIPS",
            "model": "naive",
        },
        status=302,
    ),
    UrlRule(
        "forecasting:pin_clear",
        PLANNING_ROLES,
        method="POST",
        kwargs=_pk("pin_in"),
        out_of_scope_kwargs=_pk("pin_out"),
        status=302,
    ),
    # An out-of-range horizon is refused with a message and a redirect, so the matrix checks
    # the guard without running the forecasting engine (tests run jobs synchronously).
    UrlRule(
        "forecasting:run",
        PLANNING_ROLES,
        method="POST",
        data={"granularity": "D", "horizon": "999"},
        status=302,
    ),
    UrlRule("forecast-list", ALL_ROLES, api=True),
    UrlRule(
        "forecast-detail",
        ALL_ROLES,
        api=True,
        kwargs=_pk("forecast_in"),
        out_of_scope_kwargs=_pk("forecast_out"),
    ),
    UrlRule("forecast-selection-list", ALL_ROLES, api=True),
    UrlRule(
        "forecast-selection-detail",
        ALL_ROLES,
        api=True,
        kwargs=_pk("selection_in"),
        out_of_scope_kwargs=_pk("selection_out"),
    ),
]
