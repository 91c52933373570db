"""Permission rules of the data pages, the admin edits and the read API (plus the API root
and schema). Edits post a valid form, with the version it was shown with."""

from masterdata.forms import SKUForm, StoreForm
from tests.permissions import ADMIN_ONLY, ALL_ROLES, UrlRule


def _edit_data(form_class, key: str, **changes):
    """A valid post of the edit form of ``world[key]``, changing ``changes``."""

    def build(world):
        form = form_class(instance=world[key])
        data = {name: form[name].value() for name in form.fields}
        data = {name: "" if value is None else value for name, value in data.items()}
        data = {name: value for name, value in data.items() if value is not False}
        return {**data, **changes}

    return build


def _pk(key: str):
    return lambda w: {"pk": w[key].pk}


URL_RULES = [
    UrlRule("masterdata:overview", ALL_ROLES),
    UrlRule("masterdata:weekly_sales", ALL_ROLES),
    UrlRule("masterdata:store_list", ALL_ROLES),
    UrlRule("masterdata:sku_list", ALL_ROLES),
    UrlRule(
        "masterdata:store",
        ALL_ROLES,
        kwargs=_pk("store_in"),
        out_of_scope_kwargs=_pk("store_out"),
    ),
    UrlRule(
        "masterdata:sku",
        ALL_ROLES,
        kwargs=_pk("sku_in"),
        out_of_scope_kwargs=_pk("sku_out"),
    ),
    UrlRule("masterdata:store_edit", ADMIN_ONLY, kwargs=_pk("store_in")),
    UrlRule(
        "masterdata:store_edit",
        ADMIN_ONLY,
        method="POST",
        kwargs=_pk("store_in"),
        data=_edit_data(StoreForm, "store_in", name="Renamed by the matrix"),
        status=302,
    ),
    UrlRule("masterdata:sku_edit", ADMIN_ONLY, kwargs=_pk("sku_in")),
    UrlRule(
        "masterdata:sku_edit",
        ADMIN_ONLY,
        method="POST",
        kwargs=_pk("sku_in"),
        data=_edit_data(SKUForm, "sku_in", unit_price="9.99"),
        status=302,
    ),
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
