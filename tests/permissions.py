"""The permission matrix, declared per app and checked for every URL by
``tests/test_permission_matrix.py``.

Each app lists its URLs in ``tests/<app>/url_rules.py`` as ``URL_RULES``. The matrix test
fails when a URL of the project has no rule, so a new page cannot ship unprotected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ANONYMOUS = "anonymous"
PLANNER = "planner"
ADMIN = "admin"
EXECUTIVE = "executive"
ALL_ROLES = frozenset({PLANNER, ADMIN, EXECUTIVE})
PLANNING_ROLES = frozenset({PLANNER, ADMIN})
ADMIN_ONLY = frozenset({ADMIN})


@dataclass(frozen=True)
class UrlRule:
    """Who may open ``url_name``.

    ``kwargs`` builds the URL arguments from the ``matrix_world`` fixture (a dict of objects,
    see the matrix test). ``out_of_scope_kwargs``, when given, builds arguments pointing at an
    object outside the scoped planner's scope: that planner must get 404 there.
    ``public`` URLs (log-in, the API schema) are open to anonymous users.
    ``status`` is what an allowed role gets (200 for pages, 302 for a POST that redirects).
    """

    url_name: str
    allowed: frozenset[str]
    method: str = "GET"
    kwargs: Callable[[dict[str, Any]], dict[str, Any]] = field(default=lambda world: {})
    out_of_scope_kwargs: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    data: dict[str, Any] = field(default_factory=dict)
    public: bool = False
    api: bool = False
    status: int = 200
