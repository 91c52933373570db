"""Permission rules of the audit pages."""

from tests.permissions import ADMIN_ONLY, UrlRule

URL_RULES = [
    UrlRule("audit:list", ADMIN_ONLY),
]
