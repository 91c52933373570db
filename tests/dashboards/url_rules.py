"""Permission rules of the dashboards: the home page (the data overview and its chart JSON
are ruled with the other ``/data/`` pages in ``tests/masterdata/url_rules.py``)."""

from tests.permissions import ALL_ROLES, UrlRule

URL_RULES = [
    UrlRule("home", ALL_ROLES),
]
