"""Changes to users, their role, scope, password and API token.

Each change is recorded in the audit log by the audit app's receivers (users, their groups,
scopes and tokens are in ``settings.AUDITED_MODELS``), attributed to the actor of the
request or job; accounts, the bottom app, imports no other app of ours.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group, User
from django.db import models, transaction
from rest_framework.authtoken.models import Token

from accounts.models import PlanningScope, Role
from accounts.roles import ROLES_CACHE
from accounts.versions import check_version, version_of


def _user_values(user: User) -> dict[str, Any]:
    """What a user edit form shows: identity, role, active flag and scope (no secrets)."""
    roles = sorted(
        name for name in user.groups.values_list("name", flat=True) if name in Role.values
    )
    try:
        scope = user.planning_scope
        regions = sorted(scope.regions.values_list("code", flat=True))
        categories = sorted(scope.categories.values_list("code", flat=True))
    except PlanningScope.DoesNotExist:
        regions, categories = [], []
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": user.is_active,
        "role": ",".join(roles),
        "scope_regions": regions,
        "scope_categories": categories,
    }


def user_version(user: User) -> str:
    """The version an edit form carries, so a stale save of this user is refused."""
    return version_of(_user_values(user))


def _set_role(user: User, role: str) -> None:
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.remove(*Group.objects.filter(name__in=Role.values).exclude(pk=group.pk))
    user.groups.add(group)
    user.__dict__.pop(ROLES_CACHE, None)
    # Admins also use Django admin for the few settings without a page of their own
    # (the forecast schedules); the admin group carries those model permissions.
    is_admin = role == Role.ADMIN
    if user.is_staff != is_admin:
        user.is_staff = is_admin
        user.save(update_fields=["is_staff"])


def _set_scope(
    user: User, role: str, regions: Iterable[models.Model], categories: Iterable[models.Model]
) -> None:
    """Only planners are narrowed by a scope; other roles keep none, so nothing stale lingers."""
    if role != Role.PLANNER:
        PlanningScope.objects.filter(user=user).delete()
        return
    scope, _ = PlanningScope.objects.get_or_create(user=user)
    scope.regions.set(regions)
    scope.categories.set(categories)


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    is_active: bool = True,
    regions: Iterable[models.Model] = (),
    categories: Iterable[models.Model] = (),
) -> User:
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_active=is_active,
    )
    user.set_password(password)
    user.save()
    _set_role(user, role)
    _set_scope(user, role, regions, categories)
    return user


@transaction.atomic
def user_update(
    *,
    user: User,
    role: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    is_active: bool = True,
    regions: Iterable[models.Model] = (),
    categories: Iterable[models.Model] = (),
    expected_version: str | None = None,
) -> User:
    """Change a user's details, role and scope; with ``expected_version`` (an edit form's)
    a user changed since the form was shown is not written (``StaleEdit``)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    check_version(expected=expected_version, current=_user_values(user))
    user.email, user.first_name, user.last_name = email, first_name, last_name
    user.is_active = is_active
    user.save(update_fields=["email", "first_name", "last_name", "is_active"])
    _set_role(user, role)
    _set_scope(user, role, regions, categories)
    return user


@transaction.atomic
def user_set_password(*, user: User, password: str) -> None:
    """Reset a password; the audit log records that it changed, never the password or hash."""
    user.set_password(password)
    user.save(update_fields=["password"])


@transaction.atomic
def token_regenerate(*, user: User) -> Token:
    """Replace the user's API token: the old one stops working at once."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)
