"""Reads of master data, always through the actor's ``Scope``.

A scoped planner's pages, charts and API calls see only their regions and category
subtrees, and other objects are simply absent. Reads of the sales facts (coverage, weekly
charts) are history's: ``history.weekly_sales``.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from accounts.scoping import Scope
from masterdata.models import SKU, Category, Company, Region, Store, Warehouse


def company() -> Company:
    """The company's conventions (currency, week end, completeness share); not scoped.

    A read writes nothing: before the row exists, an unsaved one carries the defaults."""
    return Company.objects.order_by("pk").first() or Company()


def region_list(scope: Scope) -> QuerySet[Region]:
    return Region.objects.visible_to(scope)


def store_list(scope: Scope) -> QuerySet[Store]:
    return Store.objects.visible_to(scope).select_related("region", "warehouse")


def sku_list(scope: Scope) -> QuerySet[SKU]:
    return SKU.objects.visible_to(scope).select_related("category")


def warehouse_list(scope: Scope) -> QuerySet[Warehouse]:
    return Warehouse.objects.visible_to(scope).select_related("region")


def category_list(scope: Scope) -> QuerySet[Category]:
    return Category.objects.visible_to(scope).select_related("parent")


def sku_counts_by_category(scope: Scope) -> list[dict]:
    return list(
        sku_list(scope)
        .values("category__code", "category__name")
        .annotate(skus=Count("id"), active=Count("id", filter=Q(is_active=True)))
        .order_by("category__code")
    )


def store_formats(scope: Scope) -> list[str]:
    """The store formats in use within ``scope``, for a filter menu."""
    formats = store_list(scope).exclude(store_format="").values_list("store_format", flat=True)
    return list(formats.distinct().order_by("store_format"))
