"""Resolves the actor's ``Scope`` once per request, lazily, as ``request.scope``."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from accounts.scoping import Scope


class ScopeMiddleware:
    """Gives every request a ``scope``; must come after ``AuthenticationMiddleware``.

    Lazy, like ``request.user``: the API authenticates tokens inside the view, and DRF then
    sets the token's user on this request, so the scope is resolved on first use (by then the
    user is known) and kept for the rest of the request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.scope = SimpleLazyObject(lambda: Scope.for_user(request.user))
        return self.get_response(request)
