"""What one import will write, in codes, and the check that every code it names exists.

Every format's parser produces a ``Batch``: canonical frames per kind of table (master data
and facts), each row still carrying the file and row it came from, so that a problem found
later (an unknown store, a store outside a planner's scope) is reported against that row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from django.db.models import Model

from accounts.scoping import Scope
from imports.columns import CODE_PATTERN, distinct_texts, shown
from imports.report import ImportReport
from masterdata.models import SKU, Category, Region, Store, Warehouse

UNASSIGNED_REGION = "UNASSIGNED"
UNCATEGORISED = "UNCATEGORISED"
LOOKUP_ALL_ABOVE = 5_000

MASTER_MODELS: dict[str, type[Model]] = {
    "regions": Region,
    "categories": Category,
    "warehouses": Warehouse,
    "stores": Store,
    "skus": SKU,
}

# (table, column, master table it names). Regions named by stores and categories named by
# SKUs are created by the master files themselves, so they are not checked here.
REFERENCES: tuple[tuple[str, str, str], ...] = (
    ("stores", "warehouse", "warehouses"),
    ("sales", "store", "stores"),
    ("sales", "sku", "skus"),
    ("inventory", "store", "stores"),
    ("inventory", "warehouse", "warehouses"),
    ("inventory", "sku", "skus"),
    ("supply_orders", "store", "stores"),
    ("supply_orders", "warehouse", "warehouses"),
    ("supply_orders", "sku", "skus"),
    ("promotions", "store", "stores"),
    ("promotions", "sku", "skus"),
    ("events", "region", "regions"),
    ("events", "store", "stores"),
    ("indicators", "region", "regions"),
    ("indicators", "store", "stores"),
    ("closures", "store", "stores"),
)


@dataclass
class Batch:
    """Canonical frames by table name, plus master codes to create with default values."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    create: dict[str, set[str]] = field(default_factory=dict)

    def add(self, table: str, frame: pd.DataFrame) -> None:
        if "_bad" not in frame.columns:
            frame = frame.assign(_bad=False)
        if table in self.frames:
            frame = pd.concat([self.frames[table], frame], ignore_index=True)
        self.frames[table] = frame

    def codes(self, master: str) -> set[str]:
        """Codes the batch itself defines for a master table."""
        found = set(self.create.get(master, ()))
        if master in self.frames:
            found |= set(self.frames[master]["code"])
        if master == "regions" and "stores" in self.frames:
            found |= set(self.frames["stores"]["region"])
        return found

    def clean(self) -> Batch:
        """The batch without the rows that had errors."""
        frames = {t: f[~f["_bad"]].drop(columns="_bad") for t, f in self.frames.items()}
        return Batch(frames=frames, create=self.create)

    def flag(
        self,
        table: str,
        mask: pd.Series,
        column: str,
        reason: str | list[str],
        report: ImportReport,
    ) -> None:
        frame = self.frames[table]
        if not mask.any():
            return
        report.row_errors(frame.loc[mask, ["_file", "_row"]], column, reason)
        frame.loc[mask, "_bad"] = True


def existing_codes(model: type[Model], codes: set[str]) -> set[str]:
    """Which of ``codes`` exist in ``model`` (one query)."""
    if not codes:
        return set()
    queryset = model.objects.all()
    if len(codes) <= LOOKUP_ALL_ABOVE:
        queryset = queryset.filter(code__in=codes)
    return set(queryset.values_list("code", flat=True)) & codes


def check_references(
    batch: Batch, report: ImportReport, *, create_missing: bool, hint: str, scope: Scope
) -> None:
    """Report every row naming master data that neither exists nor is in the batch.

    With ``create_missing`` the unknown codes are queued for creation instead. Existing
    regions, warehouses, stores and SKUs outside ``scope`` are reported too (file imports
    and commands run with ``Scope.system()``; the API with the poster's scope).
    """
    for table, column, master in REFERENCES:
        frame = batch.frames.get(table)
        if frame is None or column not in frame.columns:
            continue
        values = frame[column].fillna("").astype(str)
        texts, spread = distinct_texts(values)
        # A cell that is no valid code already has its error; it is not looked up.
        used_texts = (texts != "") & texts.str.fullmatch(CODE_PATTERN)
        named = set(texts[used_texts].unique())
        if not named:
            continue
        known = (batch.codes(master) & named) | existing_codes(MASTER_MODELS[master], named)
        used, unknown = spread(used_texts), spread(used_texts & ~texts.isin(known))
        if unknown.any() and create_missing:
            batch.create.setdefault(master, set()).update(values[unknown].unique())
        elif unknown.any():
            reasons = [f"{column} '{shown(v)}' does not exist ({hint})" for v in values[unknown]]
            batch.flag(table, unknown, column, reasons, report)
        if not scope.is_company_wide:
            visible = _visible_codes(master, scope, named & known)
            outside = used & ~unknown & ~values.isin(visible)
            reasons = [f"{column} '{shown(v)}' is outside your scope" for v in values[outside]]
            batch.flag(table, outside, column, reasons, report)


def _visible_codes(master: str, scope: Scope, codes: set[str]) -> set[str]:
    visible = MASTER_MODELS[master].objects.visible_to(scope)
    return set(visible.filter(code__in=codes).values_list("code", flat=True))
