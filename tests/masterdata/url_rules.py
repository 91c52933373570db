"""Permission rules of the data pages and of the read API (plus the API root and schema)."""

from tests.permissions import ADMIN_ONLY, ALL_ROLES, UrlRule

URL_RULES = [
    UrlRule("masterdata:overview", ALL_ROLES),
    UrlRule("masterdata:weekly_sales", ALL_ROLES),
    UrlRule(
        "masterdata:store",
        ALL_ROLES,
        kwargs=lambda w: {"code": w["store_in"].code},
        out_of_scope_kwargs=lambda w: {"code": w["store_out"].code},
    ),
    UrlRule(
        "masterdata:sku",
        ALL_ROLES,
        kwargs=lambda w: {"code": w["sku_in"].code},
        out_of_scope_kwargs=lambda w: {"code": w["sku_out"].code},
    ),
    UrlRule("masterdata:store_edit", ADMIN_ONLY, kwargs=lambda w: {"code": w["store_in"].code}),
    UrlRule("masterdata:sku_edit", ADMIN_ONLY, kwargs=lambda w: {"code": w["sku_in"].code}),
    # The OpenAPI schema is public so integrators can read it before they have a token.
    UrlRule("api-schema", ALL_ROLES, public=True, api=True),
    UrlRule("api-root", ALL_ROLES, api=True),
]

_BY_CODE = {
    "region": ("north", "south"),
    "warehouse": ("warehouse_in", "warehouse_out"),
    "store": ("store_in", "store_out"),
    "category": ("drinks", "snacks"),
    "sku": ("sku_in", "sku_out"),
}
_BY_PK = {
    "sales-fact": ("sales_in", "sales_out"),
    "inventory-snapshot": ("inventory_in", "inventory_out"),
    "supply-order": ("supply_order_in", "supply_order_out"),
}


def _lookup(field: str, key: str):
    return lambda w: {field: getattr(w[key], field)}


for _basename, (_inside, _outside) in _BY_CODE.items():
    URL_RULES += [
        UrlRule(f"{_basename}-list", ALL_ROLES, api=True),
        UrlRule(
            f"{_basename}-detail",
            ALL_ROLES,
            api=True,
            kwargs=_lookup("code", _inside),
            out_of_scope_kwargs=_lookup("code", _outside),
        ),
    ]
for _basename, (_inside, _outside) in _BY_PK.items():
    URL_RULES += [
        UrlRule(f"{_basename}-list", ALL_ROLES, api=True),
        UrlRule(
            f"{_basename}-detail",
            ALL_ROLES,
            api=True,
            kwargs=_lookup("pk", _inside),
            out_of_scope_kwargs=_lookup("pk", _outside),
        ),
    ]
