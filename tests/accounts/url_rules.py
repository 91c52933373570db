"""Permission rules of the accounts pages: log-in/out, users admin, API token."""

from accounts.services import user_version
from tests.permissions import ADMIN_ONLY, ALL_ROLES, UrlRule

NEW_USER = {
    "username": "matrix-new",
    "role": "planner",
    "is_active": "on",
    "password1": "a-sturdy-Passphrase-417",
    "password2": "a-sturdy-Passphrase-417",
}

URL_RULES = [
    # A logged-in user opening the log-in page is sent home.
    UrlRule("login", ALL_ROLES, public=True, status=302),
    UrlRule("logout", ALL_ROLES, method="POST", status=302),
    UrlRule("accounts:users", ADMIN_ONLY),
    UrlRule("accounts:user_create", ADMIN_ONLY),
    UrlRule("accounts:user_create", ADMIN_ONLY, method="POST", data=NEW_USER, status=302),
    UrlRule("accounts:user_edit", ADMIN_ONLY, kwargs=lambda w: {"pk": w["executive"].pk}),
    UrlRule(
        "accounts:user_edit",
        ADMIN_ONLY,
        method="POST",
        kwargs=lambda w: {"pk": w["executive"].pk},
        data=lambda w: {
            "role": "executive",
            "is_active": "on",
            "first_name": "Edited",
            "version": user_version(w["executive"]),
        },
        status=302,
    ),
    UrlRule("accounts:token", ALL_ROLES),
    UrlRule("accounts:token", ALL_ROLES, method="POST", status=302),
]
