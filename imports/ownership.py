"""Scope on writes: a row an import would change must be within the user's scope too.

``imports.batch.check_references`` checks the stores and SKUs a posted row names; this module
checks the row the upsert would overwrite. Upserts by a key that includes store and SKU
(sales, inventory) can only change a row at the same store and SKU, but a supply order is
matched by ``order_ref``, a promotion and master data by ``code``: without this check a
planner could move another region's order into their own store (and wipe its receipts).
The rule for each table is the one its pages and read API use, so a planner writes exactly
what they may read.
"""

from __future__ import annotations

import pandas as pd
from django.db.models import Q, QuerySet

from accounts.scoping import Scope
from history.models import Promotion, SupplyOrder
from imports.batch import Batch
from imports.columns import shown
from imports.report import ImportReport
from masterdata.models import SKU, Category, Region, Store, Warehouse

# Table, key column and what the existing row is called in the message.
KEYED_BY_CODE = (
    ("supply_orders", "order_ref", "order"),
    ("promotions", "code", "promotion"),
    ("stores", "code", "store"),
    ("skus", "code", "SKU"),
    ("warehouses", "code", "warehouse"),
    ("regions", "code", "region"),
    ("categories", "code", "category"),
)


def check_changed_rows_scope(batch: Batch, report: ImportReport, *, scope: Scope) -> None:
    """Flag every row whose upsert would change an existing row outside ``scope``."""
    if not scope.is_scoped:
        return
    for table, key, noun in KEYED_BY_CODE:
        frame = batch.frames.get(table)
        if frame is None or frame.empty or key not in frame.columns:
            continue
        values = frame[key].astype(str)
        codes = set(values) - {""}
        every, editable = _querysets(table, scope)
        field = "order_ref" if table == "supply_orders" else "code"
        existing = set(every.filter(**{f"{field}__in": codes}).values_list(field, flat=True))
        allowed = set(editable.filter(**{f"{field}__in": existing}).values_list(field, flat=True))
        outside = values.isin(existing - allowed)
        reasons = [
            f"{key} '{shown(v)}' is an existing {noun} outside your scope" for v in values[outside]
        ]
        batch.flag(table, pd.Series(outside, index=frame.index), key, reasons, report)


def _querysets(table: str, scope: Scope) -> tuple[QuerySet, QuerySet]:
    """Every row of ``table`` and the rows ``scope`` may change, as the read side scopes them."""
    if table == "promotions":
        # A promotion without a store or SKU applies company-wide: outside any narrower scope.
        in_scope = Q(store__in=Store.objects.visible_to(scope)) & Q(
            sku__in=SKU.objects.visible_to(scope)
        )
        return Promotion.objects.all(), Promotion.objects.filter(in_scope)
    model = {
        "supply_orders": SupplyOrder,
        "stores": Store,
        "skus": SKU,
        "warehouses": Warehouse,
        "regions": Region,
        "categories": Category,
    }[table]
    return model.objects.all(), model.objects.visible_to(scope)
