"""Reads of the time-series facts (sales, inventory, supply orders), always through a Scope.

Facts are filtered by ``store``/``sku`` codes and a date range; the API and the pages page
them. Rows outside the actor's scope are simply absent (404 on look-up by id).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Max, QuerySet, Sum

from accounts.scoping import Scope
from history.models import InventorySnapshot, SalesFact, SupplyOrder
from masterdata.models import Store


def sales_in_scope(scope: Scope) -> QuerySet[SalesFact]:
    return SalesFact.objects.visible_to(scope)


def top_skus_at_store(scope: Scope, *, store: Store, limit: int = 15) -> list[dict]:
    """The store's best-selling SKUs by value (then units), with their last sales date."""
    return list(
        sales_in_scope(scope)
        .filter(store=store)
        .values("sku_id", "sku__code", "sku__name")
        .annotate(units=Sum("quantity"), value=Sum("revenue"), last_date=Max("date"))
        .order_by("-value", "-units")[:limit]
    )


def sales_facts(
    scope: Scope,
    *,
    store: str = "",
    sku: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[SalesFact]:
    facts = (
        sales_in_scope(scope).select_related("store", "sku").order_by("date", "store_id", "sku_id")
    )
    return _filter_facts(
        facts, store=store, sku=sku, date_field="date", date_from=date_from, date_to=date_to
    )


def inventory_snapshots(
    scope: Scope,
    *,
    store: str = "",
    sku: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[InventorySnapshot]:
    snapshots = (
        InventorySnapshot.objects.visible_to(scope)
        .select_related("store", "warehouse", "sku")
        .order_by("date", "id")
    )
    return _filter_facts(
        snapshots, store=store, sku=sku, date_field="date", date_from=date_from, date_to=date_to
    )


def supply_orders(
    scope: Scope,
    *,
    store: str = "",
    sku: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[SupplyOrder]:
    orders = (
        SupplyOrder.objects.visible_to(scope)
        .select_related("store", "warehouse", "sku")
        .order_by("ordered_on", "id")
    )
    return _filter_facts(
        orders, store=store, sku=sku, date_field="ordered_on", date_from=date_from, date_to=date_to
    )


def _filter_facts(
    facts: QuerySet,
    *,
    store: str,
    sku: str,
    date_field: str,
    date_from: dt.date | None,
    date_to: dt.date | None,
) -> QuerySet:
    if store:
        facts = facts.filter(store__code=store)
    if sku:
        facts = facts.filter(sku__code=sku)
    if date_from:
        facts = facts.filter(**{f"{date_field}__gte": date_from})
    if date_to:
        facts = facts.filter(**{f"{date_field}__lte": date_to})
    return facts
