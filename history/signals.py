"""Signals about the facts, so read-side apps can follow writes without being imported.

``facts_changed`` is sent inside the writing transaction, after a bulk write of facts or
master data (an import, the demo load). Keyword arguments:

- ``written``: rows inserted or changed per table (``{"sales": 1200, "skus": 3, ...}``);
- ``store_ids``: the stores whose facts the write touched, or None for "any store".
"""

from django.dispatch import Signal

facts_changed = Signal()
