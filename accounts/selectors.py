"""What the users page shows, and a planner's scope by name."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet
from rest_framework.authtoken.models import Token

from accounts.models import PlanningScope


def user_list() -> QuerySet[User]:
    return User.objects.order_by("username").prefetch_related(
        "groups", "planning_scope__regions", "planning_scope__categories"
    )


def scope_summary(user: User) -> dict[str, list[str]]:
    """The names of the regions and categories a planner is narrowed to (empty: all)."""
    try:
        scope = user.planning_scope
    except PlanningScope.DoesNotExist:
        return {"regions": [], "categories": []}
    return {
        "regions": [r.name for r in scope.regions.all()],
        "categories": [c.name for c in scope.categories.all()],
    }


def api_token_of(user: User) -> Token | None:
    """The user's current API token, if one was issued."""
    return Token.objects.filter(user=user).first()
