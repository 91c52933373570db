"""The project's own long format: one CSV/XLSX per kind of table, recognised by file name."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from history.models import Grain
from imports.batch import Batch
from imports.columns import Column, TableSpec, validate_table
from imports.formats.tables import read_raw
from imports.report import ImportReport

STORE = Column("store", "code", max_length=32)
WAREHOUSE = Column("warehouse", "code", max_length=32)
SKU_CODE = Column("sku", "code", required=True, max_length=64)
QUANTITY = {"kind": "number", "minimum": 0, "scale": "quantity"}
MONEY = {"kind": "number", "minimum": 0, "scale": "money"}

SPECS: dict[str, TableSpec] = {
    "sales": TableSpec(
        "sales",
        (
            Column("date", "date", required=True, window="history"),
            Column("store", "code", required=True, max_length=32),
            SKU_CODE,
            Column("quantity", required=True, allow_empty=True, **QUANTITY),
            Column("revenue", "number", scale="money"),
            Column("price", **MONEY),
            Column("on_promotion", "bool"),
        ),
        key=("date", "store", "sku"),
    ),
    "stores": TableSpec(
        "stores",
        (
            Column("code", "code", required=True, max_length=32),
            Column("name", required=True, max_length=120),
            Column("region", "code", required=True, max_length=32),
            Column("format", max_length=40),
            Column("floor_area_m2", "integer", minimum=0),
            WAREHOUSE,
        ),
        key=("code",),
    ),
    "skus": TableSpec(
        "skus",
        (
            Column("code", "code", required=True, max_length=64),
            Column("name", required=True, max_length=200),
            Column("category", "code", required=True, max_length=32),
            Column("parent_category", "code", max_length=32),
            Column("unit_cost", **MONEY),
            Column("unit_price", **MONEY),
            Column("lead_time_days", "integer", minimum=0, maximum=3660),
            Column("min_order_qty", "integer", positive=True, scale="quantity"),
            Column("case_pack", "integer", positive=True, scale="quantity"),
            Column("shelf_life_days", "integer", minimum=0, maximum=36600),
            Column("active", "bool"),
        ),
        key=("code",),
    ),
    "inventory": TableSpec(
        "inventory",
        (
            Column("date", "date", required=True, window="history"),
            STORE,
            WAREHOUSE,
            SKU_CODE,
            Column("on_hand", required=True, **QUANTITY),
            Column("on_order", **QUANTITY),
        ),
        key=("date", "store", "warehouse", "sku"),
    ),
    "supply_orders": TableSpec(
        "supply_orders",
        (
            Column("order_ref", "code", required=True, max_length=64),
            STORE,
            WAREHOUSE,
            SKU_CODE,
            Column("ordered_on", "date", required=True),
            Column("promised_on", "date", required=True),
            Column("received_on", "date", window="history"),
            Column("quantity_ordered", "number", required=True, positive=True, scale="quantity"),
            Column("quantity_received", **QUANTITY),
        ),
        key=("order_ref",),
    ),
    "promotions": TableSpec(
        "promotions",
        (
            Column("code", "code", required=True, max_length=64),
            STORE,
            Column("sku", "code", max_length=64),
            Column("start_date", "date", required=True),
            Column("end_date", "date", required=True),
            Column("mechanic", max_length=40),
            Column("discount_pct", "number", minimum=0, maximum=100),
            Column("name", max_length=200),
        ),
        key=("code",),
    ),
    "events": TableSpec(
        "events",
        (
            Column("date", "date", required=True),
            Column("name", required=True, max_length=120),
            Column("type", max_length=40),
            Column("region", "code", max_length=32),
            STORE,
        ),
        key=("date", "name", "region", "store"),
    ),
    "indicators": TableSpec(
        "indicators",
        (
            Column("name", required=True, max_length=60),
            Column("date", "date", required=True),
            Column("value", "number", required=True),
            Column("region", "code", max_length=32),
            STORE,
        ),
        key=("name", "date", "region", "store"),
    ),
    "closures": TableSpec(
        "closures",
        (
            Column("store", "code", required=True, max_length=32),
            Column("from", "date", required=True),
            Column("to", "date", required=True),
            Column("reason", max_length=200),
        ),
        key=("store", "from"),
    ),
}
# Order of the name prefixes: longer first, so "supply_orders" is not taken for "s...".
KIND_PREFIXES = (
    "supply_orders",
    "indicators",
    "promotions",
    "closures",
    "inventory",
    "events",
    "stores",
    "sales",
    "skus",
)
RENAMES = {
    "format": "store_format",
    "type": "event_type",
    "active": "is_active",
    "from": "start_date",
    "to": "end_date",
}
LOCATED = ("inventory", "supply_orders")
# Kinds holding a date range (stored as start_date, end_date) and its columns in the file.
DATE_RANGES = {"promotions": ("start_date", "end_date"), "closures": ("from", "to")}


def kind_of(name: str) -> str | None:
    """The kind of table a file holds, from its name (``sales_2024.csv`` holds sales)."""
    lower = name.lower()
    return next((kind for kind in KIND_PREFIXES if lower.startswith(kind)), None)


def parse(files: list[tuple[Path, str]], *, grain: str | None, report: ImportReport) -> Batch:
    raw_by_kind: dict[str, list[pd.DataFrame]] = {}
    for path, name in files:
        kind = kind_of(name)
        if kind is None:
            report.files.append(name)
            expected = ", ".join(f"{k}*" for k in SPECS)
            report.file_error(name, f"file '{name}' is not a known kind of file ({expected})")
            continue
        raw = read_raw(path, name, SPECS[kind], report, lower=True)
        if raw is None:
            continue
        if kind in LOCATED and not {"store", "warehouse"} & set(raw.columns):
            report.file_error(name, "a 'store' or a 'warehouse' column is required", "store")
            continue
        raw_by_kind.setdefault(kind, []).append(raw)
    return batch_from_raw(raw_by_kind, grain=grain, report=report)


def batch_from_raw(
    raw_by_kind: dict[str, list[pd.DataFrame]], *, grain: str | None, report: ImportReport
) -> Batch:
    """Validate the text tables of each kind (together, so duplicates across files show).

    Columns absent from the input stay absent from the batch, so that writing it leaves
    those fields of existing rows as they are. Sales get ``grain`` when it was given; else
    the writer decides it against the stored history (``imports.grain``).
    """
    batch = Batch()
    for kind, frames in raw_by_kind.items():
        raw = pd.concat(frames, ignore_index=True).fillna("")
        typed = validate_table(SPECS[kind], raw, report)
        batch.add(kind, typed.rename(columns=RENAMES))
        _check_rows(batch, kind, report)
    if "sales" in batch.frames and grain:
        batch.frames["sales"]["grain"] = grain
    return batch


def detect_grain(dates: pd.Series, *, min_dates: int = 2) -> str | None:
    """Weekly when at least ``min_dates`` distinct sales dates are all a multiple of seven
    days apart, daily when some are not, None when there are too few dates to tell."""
    distinct = pd.Series(dates.dropna().unique()).sort_values()
    if len(distinct) < 2:
        return None
    gaps = distinct.diff().dropna().dt.days
    if not bool((gaps % 7 == 0).all()):
        return Grain.DAY.value
    return Grain.WEEK.value if len(distinct) >= min_dates else None


def _check_rows(batch: Batch, kind: str, report: ImportReport) -> None:
    """Rules that involve more than one cell of a row."""
    frame = batch.frames[kind]
    if kind == "sales":
        revenue = frame["revenue"] if "revenue" in frame.columns else float("nan")
        missing = frame["quantity"].isna() & pd.Series(revenue, index=frame.index).isna()
        missing &= ~frame["_bad"]
        batch.flag(kind, missing, "quantity", "quantity or revenue is required", report)
    if kind in LOCATED:
        for column in ("store", "warehouse"):
            if column not in frame.columns:
                frame[column] = ""
        store, warehouse = frame["store"] != "", frame["warehouse"] != ""
        batch.flag(kind, ~store & ~warehouse, "store", "store or warehouse is required", report)
        batch.flag(
            kind, store & warehouse, "store", "give a store or a warehouse, not both", report
        )
    if kind == "supply_orders":
        for column in ("promised_on", "received_on"):
            if column not in frame.columns:
                continue
            early = frame[column] < frame["ordered_on"]
            reasons = [
                f"{column} {a:%Y-%m-%d} is before ordered_on {b:%Y-%m-%d}"
                for a, b in zip(
                    frame.loc[early, column], frame.loc[early, "ordered_on"], strict=True
                )
            ]
            batch.flag(kind, early, column, reasons, report)
    if kind in DATE_RANGES:
        first, last = DATE_RANGES[kind]
        early = frame["end_date"] < frame["start_date"]
        reasons = [
            f"{last} {a:%Y-%m-%d} is before {first} {b:%Y-%m-%d}"
            for a, b in zip(
                frame.loc[early, "end_date"], frame.loc[early, "start_date"], strict=True
            )
        ]
        batch.flag(kind, early, last, reasons, report)
