"""Which role a user has, and guards for views and the API that demand one."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from accounts.models import Role

# Where a user object keeps its roles once read, as Django keeps ``_perm_cache``: a request's
# guards, navigation and scope ask several times, the database is asked once.
ROLES_CACHE = "_sop_roles"


def user_roles(user) -> set[str]:
    """The roles of ``user``; a superuser counts as an admin."""
    if not user.is_authenticated or not user.is_active:
        return set()
    cached = getattr(user, ROLES_CACHE, None)
    if cached is None:
        cached = frozenset(
            name for name in user.groups.values_list("name", flat=True) if name in Role.values
        )
        setattr(user, ROLES_CACHE, cached)
    return set(cached) | ({Role.ADMIN} if user.is_superuser else set())


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def primary_role(user) -> str | None:
    """The role whose home page the user lands on (admin over planner over executive)."""
    roles = user_roles(user)
    for role in (Role.ADMIN, Role.PLANNER, Role.EXECUTIVE):
        if role in roles:
            return role
    return None


def role_required(*roles: str) -> Callable:
    """View decorator: anonymous users go to the login page, other roles get 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)
        return wrapped

    return decorator


class HasRole(BasePermission):
    """DRF permission: the view lists ``allowed_roles``; safe methods may list ``read_roles``."""

    def has_permission(self, request, view) -> bool:
        allowed = set(getattr(view, "allowed_roles", ()))
        if request.method in ("GET", "HEAD", "OPTIONS"):
            allowed |= set(getattr(view, "read_roles", ()))
        return has_role(request.user, *allowed)


READ_ROLES = (Role.PLANNER, Role.ADMIN, Role.EXECUTIVE)
PLANNING_ROLES = (Role.PLANNER, Role.ADMIN)
ADMIN_ROLES = (Role.ADMIN,)
