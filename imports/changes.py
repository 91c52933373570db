"""What the rows an import is about to overwrite hold now.

Two uses: a partial update never erases (a column absent from the input keeps the stored
value of an existing row, ``keep_absent``), and the audit entry of an import can restore what
it overwrote (``ChangeLog``: before and after of every changed row, capped per table).
Frames here are in database terms: id columns (``store_id``), dates as datetime64.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from django.db.models import Model, Q

from imports.bounds import setting

LOOKUP_ALL_ABOVE = 5_000


def current_rows(
    model: type[Model], frame: pd.DataFrame, key: list[str], columns: list[str]
) -> pd.DataFrame:
    """The stored rows of ``model`` whose ``key`` matches a row of ``frame`` (key and
    ``columns``), in one query filtered by each key column's values."""
    query = Q()
    for column in key:
        values = frame[column]
        distinct = values.dropna().unique()
        if len(distinct) > LOOKUP_ALL_ABOVE:
            if pd.api.types.is_datetime64_any_dtype(values):
                query &= Q(**{f"{column}__range": (values.min().date(), values.max().date())})
            continue
        if pd.api.types.is_datetime64_any_dtype(values):
            distinct = [d.date() for d in pd.to_datetime(distinct)]
        else:
            distinct = [v.item() if isinstance(v, np.generic) else v for v in distinct]
        match = Q(**{f"{column}__in": list(distinct)})
        if values.isna().any():
            match |= Q(**{f"{column}__isnull": True})
        query &= match
    rows = list(model.objects.filter(query).values_list(*key, *columns))
    stored = pd.DataFrame(rows, columns=[*key, *columns])
    stored = _like(stored, frame)
    return stored.merge(frame[key].drop_duplicates(), on=key, how="inner")


def _like(stored: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """``stored``'s columns with the dtypes of ``frame``'s (dates, ids), so that they merge
    and compare."""
    for column in stored.columns:
        if column not in frame.columns:
            continue
        target = frame[column].dtype
        if pd.api.types.is_datetime64_any_dtype(target):
            stored[column] = pd.to_datetime(stored[column]).astype(target)
        elif column.endswith("_id"):
            stored[column] = stored[column].astype("Int64")
        elif target is np.dtype(object):
            stored[column] = stored[column].astype(object)
    return stored


def keep_absent(
    frame: pd.DataFrame,
    stored: pd.DataFrame,
    key: list[str],
    absent: list[str],
    defaults: dict[str, Any],
) -> pd.DataFrame:
    """``frame`` with the ``absent`` columns added: the stored value for existing rows, the
    default (or NULL) for new ones."""
    if not absent:
        return frame
    merged = frame.merge(stored[[*key, *absent]], on=key, how="left", indicator="_stored")
    is_new = merged.pop("_stored") == "left_only"
    for column in absent:
        if column in defaults:
            merged.loc[is_new, column] = defaults[column]
    merged.index = frame.index
    return merged


@dataclass
class ChangeLog:
    """Before and after of the rows an import changed, per table, for its audit entry.

    At most ``IMPORT_AUDIT_MAX_ROWS`` rows per table are kept (the count of all changed rows
    is kept too), so that one entry stays a readable size.
    """

    before: dict[str, list[dict]] = field(default_factory=dict)
    after: dict[str, list[dict]] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)

    def record(self, table: str, frame: pd.DataFrame, stored: pd.DataFrame, key: list[str]) -> None:
        """Compare ``frame`` (what will be written) with ``stored`` (what is there): the
        before of a changed row holds every stored column read, the after what is written."""
        columns = [c for c in frame.columns if c in stored.columns and c not in key]
        if stored.empty or not columns:
            return
        kept_columns = [c for c in stored.columns if c not in key]
        new = frame[[*key, *columns]].rename(columns={c: f"{c}__new" for c in columns})
        pairs = stored.merge(new, on=key)
        differs = pd.Series(False, index=pairs.index)
        for column in columns:
            old, new_values = pairs[column], pairs[f"{column}__new"]
            both_missing = old.isna() & new_values.isna()
            same = (old.astype(object) == new_values.astype(object)).fillna(False).astype(bool)
            differs |= ~(both_missing | same)
        changed = pairs[differs]
        if changed.empty:
            return
        self.changed[table] = self.changed.get(table, 0) + len(changed)
        kept = changed.head(setting("IMPORT_AUDIT_MAX_ROWS"))
        self.before.setdefault(table, []).extend(_records(kept[[*key, *kept_columns]]))
        after = kept[key + [f"{c}__new" for c in columns]]
        after.columns = [*key, *columns]
        self.after.setdefault(table, []).extend(_records(after))


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts: dates as text, missing values as None."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
    out = out.astype(object).where(out.notna(), None)
    return [
        {k: (v.isoformat() if isinstance(v, dt.date) else _plain(v)) for k, v in row.items()}
        for row in out.to_dict("records")
    ]


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
