"""Who may open the import pages and post to the batch import API.

The pages are admin-only. The API takes admins and planners (planners only within their
scope, which the service checks row by row); an empty body answers 400 to an allowed role.
"""

from tests.permissions import ADMIN_ONLY, PLANNING_ROLES, UrlRule

_DAY = "2025-01-06"
OUT_OF_SCOPE_ROWS = {
    "import-sales-list": {"date": _DAY, "store": "S1", "sku": "CHIPS", "quantity": "3"},
    "import-inventory-list": {"date": _DAY, "store": "S1", "sku": "CHIPS", "on_hand": "5"},
    "import-supply-orders-list": {
        "order_ref": "PO-OUT",
        "store": "S1",
        "sku": "CHIPS",
        "ordered_on": _DAY,
        "promised_on": "2025-01-08",
        "quantity_ordered": "1",
    },
    "import-closures-list": {"store": "S1", "from": _DAY, "to": _DAY, "reason": "flood"},
}

URL_RULES = [
    UrlRule("imports:upload", ADMIN_ONLY),
    UrlRule("imports:list", ADMIN_ONLY),
    *(
        UrlRule(
            name,
            PLANNING_ROLES,
            method="POST",
            api=True,
            status=400,
            # Rows naming the store outside the planner's scope: refused, nothing written.
            out_of_scope_data=lambda w, row=row: [row],
            out_of_scope_status=400,
        )
        for name, row in OUT_OF_SCOPE_ROWS.items()
    ),
]
