"""Who may open the jobs pages.

Admins see every job run; a planner only the runs they started (another's answers 404);
executives see no job runs. Notifications are each user's own, so every role has the page.
"""

from tests.permissions import ADMIN_ONLY, ALL_ROLES, PLANNING_ROLES, UrlRule

URL_RULES = [
    UrlRule("jobs:list", ADMIN_ONLY),
    UrlRule(
        "jobs:detail",
        PLANNING_ROLES,
        kwargs=lambda world: {"pk": world["job_planner"].pk},
        out_of_scope_kwargs=lambda world: {"pk": world["job_admin"].pk},
    ),
    UrlRule("jobs:purge", ADMIN_ONLY, method="POST", data={"older_than_days": "90"}, status=302),
    UrlRule("jobs:notifications", ALL_ROLES),
    UrlRule("jobs:notifications", ALL_ROLES, method="POST", status=302),
    UrlRule("jobs:limits", ADMIN_ONLY),
    UrlRule(
        "jobs:limits",
        ADMIN_ONLY,
        method="POST",
        data={"kind": "forecast", "time_limit_s": "600", "memory_limit_mb": "2048"},
        status=302,
    ),
]
