"""Signals about the facts, so read-side apps can follow writes without being imported.

``facts_changed`` is sent by bulk writers inside the writing transaction, after a bulk write
of facts or master data (an import, the demo load). Keyword arguments:

- ``written``: rows inserted or changed per table (``{"sales": 1200, "skus": 3, ...}``);
- ``store_ids``: the stores whose facts the write touched, or None for "any store".

``sales_changed`` is what summaries of sales follow: the sales of some store × category
cells changed, whichever way (a bulk write, one sale saved through the ORM, a SKU moving to
another category). Keyword arguments ``store_ids`` and ``category_ids``: the cells' stores
and categories, None meaning all of them. ``history.receivers`` sends it; after a bulk write
with ``day_cells`` too, the name of a temporary table of those cells' sales summed per day
(``history.day_cells``), which receivers read instead of the facts (absent: scan the facts).

``sku_regrouped`` is sent when a SKU moves to another category, with ``category_ids`` (the
old and the new one): anything summed per category moves with it, forecasts included.
"""

from django.dispatch import Signal

facts_changed = Signal()
sales_changed = Signal()
sku_regrouped = Signal()
