"""The one place that decides which regions and categories an actor may see and act on.

A ``Scope`` is a frozen value resolved once per request (``request.scope``, set by
``accounts.middleware.ScopeMiddleware``) or, for jobs and commands, ``Scope.system()``.
Every scoped model's queryset has ``visible_to(scope)`` (built on ``ScopedQuerySet``), so a
scoped planner's pages, API calls, exports and writes see only their regions and category
subtrees, and objects outside answer 404 because they are simply not in the queryset.

There is no "no scope": a user without a role gets ``Scope.nothing()``, which sees nothing,
and ``visible_to`` refuses anything that is not a ``Scope`` (a ``None`` or a user by mistake).

``accounts`` sits below ``masterdata``: the planning scope names regions and categories by
model label, and the category subtree is read through the scope's own relation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.db import models
from django.db.models import Q, QuerySet

from accounts.models import PlanningScope, Role
from accounts.roles import user_roles

COMPANY_WIDE_ROLES = frozenset({Role.ADMIN, Role.EXECUTIVE})


@dataclass(frozen=True)
class Scope:
    """What an actor may see: region ids and expanded category ids, and the actor's roles.

    ``None`` on an axis means every member of it; an empty set means none. ``Scope.nothing()``
    (no role) is empty on both axes. ``roles`` answers what is granted by role rather than by
    region or category (company-wide designs such as pilots, ``Scope.may``); the system
    acts in every role.
    """

    region_ids: frozenset[int] | None
    category_ids: frozenset[int] | None
    label: str = ""
    roles: frozenset[str] = frozenset()

    @classmethod
    def company_wide(cls, label: str = "company-wide") -> Scope:
        return cls(region_ids=None, category_ids=None, label=label)

    @classmethod
    def system(cls) -> Scope:
        """Jobs, schedules and commands act for the whole company, in every role."""
        return cls(region_ids=None, category_ids=None, label="system", roles=frozenset(Role.values))

    @classmethod
    def nothing(cls) -> Scope:
        return cls(region_ids=frozenset(), category_ids=frozenset(), label="nothing")

    @classmethod
    def of(
        cls, *, region_ids: set[int] | None = None, category_ids: set[int] | None = None
    ) -> Scope:
        """A scope narrowed to regions and/or category subtrees (roots are expanded here)."""
        return cls(
            region_ids=frozenset(region_ids) if region_ids else None,
            category_ids=frozenset(category_subtree_ids(set(category_ids)))
            if category_ids
            else None,
            label="scoped" if region_ids or category_ids else "company-wide",
        )

    @classmethod
    def for_user(cls, user) -> Scope:
        """The scope of ``user``: nothing without a role, the whole company for admins and
        executives, and a planner's regions and category subtrees (all when none are set)."""
        roles = user_roles(user)
        if not roles:
            return cls.nothing()
        if roles & COMPANY_WIDE_ROLES:
            return replace(cls.company_wide(), roles=frozenset(roles))
        planning = PlanningScope.objects.filter(user=user).first()
        if planning is None:
            return replace(cls.company_wide(), roles=frozenset(roles))
        narrowed = cls.of(
            region_ids=set(planning.regions.values_list("id", flat=True)),
            category_ids=set(planning.categories.values_list("id", flat=True)),
        )
        return replace(narrowed, roles=frozenset(roles))

    def may(self, *roles: str) -> bool:
        """Whether the actor holds one of ``roles`` (for what is granted by role)."""
        return bool(self.roles & set(roles))

    @property
    def is_nothing(self) -> bool:
        return self.region_ids == frozenset() or self.category_ids == frozenset()

    @property
    def is_scoped(self) -> bool:
        """Narrowed to some regions or categories (but not to nothing)."""
        return not self.is_nothing and (
            self.region_ids is not None or self.category_ids is not None
        )

    @property
    def is_region_scoped(self) -> bool:
        return self.region_ids is not None

    @property
    def is_company_wide(self) -> bool:
        return self.region_ids is None and self.category_ids is None

    def q(self, *, region: str | None = None, category: str | None = None) -> Q:
        """A filter for rows whose region sits at path ``region`` and category at path
        ``category`` (e.g. ``"store__region"``, ``"sku__category"``); an axis whose path is
        not given does not narrow."""
        if self.is_nothing:
            return Q(pk__in=[])
        q = Q()
        if region is not None and self.region_ids is not None:
            q &= Q(**{f"{region}__in": sorted(self.region_ids)})
        if category is not None and self.category_ids is not None:
            q &= Q(**{f"{category}__in": sorted(self.category_ids)})
        return q

    def q_or_unkeyed(self, *, region: str | None = None, category: str | None = None) -> Q:
        """Like ``q``, but a row with no key on an axis (a promotion for every store, an
        alert of no SKU) is in scope on that axis. An axis the scope does not narrow adds
        nothing: ``Q(key__isnull=True) | Q()`` is just the null test in Django."""
        if self.is_nothing:
            return Q(pk__in=[])
        q = Q()
        for path, ids in ((region, self.region_ids), (category, self.category_ids)):
            if path is not None and ids is not None:
                q &= Q(**{f"{path}__isnull": True}) | Q(**{f"{path}__in": sorted(ids)})
        return q


def require_scope(scope: object) -> Scope:
    """``scope`` itself; anything else (``None``, a user) is a programming error."""
    if not isinstance(scope, Scope):
        raise TypeError(f"visible_to() needs a Scope, not {type(scope).__name__}")
    return scope


class ScopedQuerySet(QuerySet):
    """A queryset narrowed by region and category paths; models set the two paths.

    ``region_path``/``category_path`` name where a row's region and category sit (``None``
    when the model has no such axis). Models with another rule override ``visible_to``.
    """

    region_path: str | None = None
    category_path: str | None = None

    def visible_to(self, scope: Scope) -> QuerySet:
        scope = require_scope(scope)
        return self.filter(scope.q(region=self.region_path, category=self.category_path))


def category_subtree_ids(root_ids: set[int]) -> set[int]:
    """The ids of the given categories and all their descendants (one query)."""
    category = _category_model()
    parents = dict(category._base_manager.values_list("id", "parent_id"))
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


def _category_model() -> type[models.Model]:
    return PlanningScope._meta.get_field("categories").related_model


def _region_model() -> type[models.Model]:
    return PlanningScope._meta.get_field("regions").related_model
