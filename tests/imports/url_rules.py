"""Who may open the import pages and post to the batch import API.

The pages are admin-only. The API takes admins and planners (planners only within their
scope, which the service checks row by row); an empty body answers 400 to an allowed role.
"""

from tests.permissions import ADMIN_ONLY, PLANNING_ROLES, UrlRule

URL_RULES = [
    UrlRule("imports:upload", ADMIN_ONLY),
    UrlRule("imports:list", ADMIN_ONLY),
    *(
        UrlRule(name, PLANNING_ROLES, method="POST", api=True, status=400)
        for name in ("import-sales-list", "import-inventory-list", "import-supply-orders-list")
    ),
]
