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


World = dict[str, Any]
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class UrlRule:
    """Who may open ``url_name`` (or post to it, with ``method``).

    ``kwargs`` builds the URL arguments from the ``matrix_world`` fixture (a dict of objects,
    see the matrix test). ``out_of_scope_kwargs``, when given, builds arguments pointing at an
    object outside the scoped planner's scope: that planner must get 404 there.
    ``data`` is the body (or query), a dict or a function of the world (e.g. to carry an
    edit form's version). ``out_of_scope_data``, when given, is a body naming objects outside
    the scoped planner's scope (a pin, an API batch): that planner must get
    ``out_of_scope_status`` and nothing may be written.
    ``public`` URLs (log-in, the API schema) are open to anonymous users.
    ``status`` is what an allowed role gets (200 for pages, 302 for a POST that redirects).
    """

    url_name: str
    allowed: frozenset[str]
    method: str = "GET"
    kwargs: Callable[[World], dict[str, Any]] = field(default=lambda world: {})
    out_of_scope_kwargs: Callable[[World], dict[str, Any]] | None = None
    data: dict[str, Any] | Callable[[World], Any] = field(default_factory=dict)
    out_of_scope_data: Callable[[World], Any] | None = None
    out_of_scope_status: int = 404
    public: bool = False
    api: bool = False
    status: int = 200

    @property
    def writes(self) -> bool:
        return self.method in WRITE_METHODS

    @property
    def checks_scope(self) -> bool:
        return self.out_of_scope_kwargs is not None or self.out_of_scope_data is not None

    def body(self, world: World, *, out_of_scope: bool = False) -> Any:
        if out_of_scope and self.out_of_scope_data is not None:
            return self.out_of_scope_data(world)
        return self.data(world) if callable(self.data) else self.data

    def url_kwargs(self, world: World, *, out_of_scope: bool = False) -> dict[str, Any]:
        if out_of_scope and self.out_of_scope_kwargs is not None:
            return self.out_of_scope_kwargs(world)
        return self.kwargs(world)
