"""Whether imported sales are daily or weekly, decided against the history already stored.

Dates alone are weak evidence: two daily sales a week apart look weekly. So a series that is
already stored keeps its grain, a new series takes the grain the batch shows only when the
batch has at least ``WEEKLY_EVIDENCE_DATES`` dates all a multiple of seven days apart, and
otherwise the grain of its store's stored sales, else daily.
"""

from __future__ import annotations

import pandas as pd

from history.models import Grain, SalesFact
from imports.formats.sop import detect_grain

WEEKLY_EVIDENCE_DATES = 4
LOOKUP_ALL_ABOVE = 5_000


def sales_grain_resolve(sales: pd.DataFrame) -> None:
    """Fill the ``grain`` column of ``sales`` (codes in ``store``/``sku``) where it is empty."""
    if "grain" in sales.columns and sales["grain"].notna().all():
        return
    if "grain" not in sales.columns:
        sales["grain"] = None
    stores, skus = set(sales["store"]), set(sales["sku"])
    stored = SalesFact.objects.all()
    if len(stores) <= LOOKUP_ALL_ABOVE:
        stored = stored.filter(store__code__in=stores)
    series_grain = {
        (store, sku): grain
        for store, sku, grain in stored.filter(sku__code__in=skus)
        .values_list("store__code", "sku__code", "grain")
        .distinct()
        if store in stores
    }
    store_grains = pd.DataFrame(
        list(stored.values_list("store__code", "grain").distinct()), columns=["store", "grain"]
    )
    store_grain = (
        store_grains.groupby("store")["grain"].agg(lambda g: g.iloc[0] if len(g) == 1 else None)
        if not store_grains.empty
        else pd.Series(dtype=object)
    )
    shown = detect_grain(sales["date"], min_dates=WEEKLY_EVIDENCE_DATES)
    pairs = pd.Series(list(zip(sales["store"], sales["sku"], strict=True)), index=sales.index)
    by_series = pairs.map(series_grain).astype(object)
    if shown is None:
        fallback = sales["store"].map(store_grain).astype(object)
        fallback = fallback.where(fallback.notna(), Grain.DAY.value)
    else:
        fallback = pd.Series(shown, index=sales.index, dtype=object)
    resolved = by_series.where(by_series.notna(), fallback)
    sales["grain"] = sales["grain"].astype(object).where(sales["grain"].notna(), resolved)
