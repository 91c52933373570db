"""The one place that decides which stores, SKUs and categories a user may see.

Every page, export, API view and (later) assistant answer filters through these selectors,
so a planner scoped to a region or category sees only that scope everywhere. Objects outside
it answer 404 because they are simply not in the queryset.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import PlanningScope, Role
from accounts.roles import user_roles
from masterdata.models import SKU, Category, Region, Store


def _scope(user) -> PlanningScope | None:
    """The planning scope that narrows ``user``, or None when they see everything."""
    roles = user_roles(user)
    if not roles or Role.ADMIN in roles or Role.EXECUTIVE in roles:
        return None
    try:
        return user.planning_scope
    except PlanningScope.DoesNotExist:
        return None


def category_subtree_ids(root_ids: set[int]) -> set[int]:
    """The ids of the given categories and all their descendants (one query)."""
    parents = dict(Category.objects.values_list("id", "parent_id"))
    children: dict[int, list[int]] = {}
    for child, parent in parents.items():
        children.setdefault(parent, []).append(child)
    found, stack = set(), list(root_ids)
    while stack:
        node = stack.pop()
        if node in found:
            continue
        found.add(node)
        stack.extend(children.get(node, ()))
    return found


def visible_regions(user) -> QuerySet[Region]:
    if not user_roles(user):
        return Region.objects.none()
    scope = _scope(user)
    region_ids = list(scope.regions.values_list("id", flat=True)) if scope else []
    qs = Region.objects.all()
    return qs.filter(id__in=region_ids) if region_ids else qs


def visible_categories(user) -> QuerySet[Category]:
    if not user_roles(user):
        return Category.objects.none()
    scope = _scope(user)
    roots = set(scope.categories.values_list("id", flat=True)) if scope else set()
    qs = Category.objects.all()
    return qs.filter(id__in=category_subtree_ids(roots)) if roots else qs


def visible_stores(user) -> QuerySet[Store]:
    if not user_roles(user):
        return Store.objects.none()
    scope = _scope(user)
    if scope and scope.regions.exists():
        return Store.objects.filter(region__in=scope.regions.all())
    return Store.objects.all()


def visible_skus(user) -> QuerySet[SKU]:
    if not user_roles(user):
        return SKU.objects.none()
    scope = _scope(user)
    if scope and scope.categories.exists():
        return SKU.objects.filter(category__in=visible_categories(user))
    return SKU.objects.all()


def fact_scope_q(user, store_field: str = "store", sku_field: str = "sku") -> Q:
    """A filter for any fact table keyed by store and SKU, limited to the user's scope."""
    if not user_roles(user):
        return Q(pk__in=[])
    scope = _scope(user)
    q = Q()
    if scope and scope.regions.exists():
        q &= Q(**{f"{store_field}__region__in": scope.regions.all()})
    if scope and scope.categories.exists():
        q &= Q(**{f"{sku_field}__category__in": visible_categories(user)})
    return q


def is_scoped(user) -> bool:
    scope = _scope(user)
    return bool(scope and (scope.regions.exists() or scope.categories.exists()))
