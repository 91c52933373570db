"""Walmart Recruiting (Kaggle 2014): weekly store x department sales with external drivers.

``train.csv(.gz)`` holds Weekly_Sales per store, department and week (the week's Friday);
``features.csv(.gz)`` the markdowns, temperature, fuel price, CPI and unemployment per store
and week; ``stores.csv`` each store's type and size. Departments become SKUs; sales are
values (revenue) without quantities, negative weeks (returns) included.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from imports.batch import Batch
from imports.columns import Column, TableSpec
from imports.formats.tables import good_rows, load_table
from imports.report import ImportReport

REGION, REGION_NAME = "WALMART", "Walmart (US)"
CATEGORY, CATEGORY_NAME = "WALMART-DEPTS", "Walmart departments"
NA = ("", "NA")
MARKDOWNS = tuple(f"MarkDown{n}" for n in range(1, 6))
INDICATORS = {
    "Temperature": "temperature",
    "Fuel_Price": "fuel_price",
    "CPI": "cpi",
    "Unemployment": "unemployment",
}
# IsHoliday weeks of the competition, named by the month they fall in.
HOLIDAYS_BY_MONTH = {2: "Super Bowl", 9: "Labor Day", 11: "Thanksgiving", 12: "Christmas"}

STORE = Column("Store", "integer", required=True, minimum=1)
TRAIN = TableSpec(
    "train",
    (
        STORE,
        Column("Dept", "integer", required=True, minimum=1),
        Column("Date", "date", required=True, window="history"),
        Column("Weekly_Sales", "number", required=True, scale="money"),
        Column("IsHoliday", "bool"),
    ),
    key=("Store", "Dept", "Date"),
)
FEATURES = TableSpec(
    "features",
    (
        STORE,
        Column("Date", "date", required=True),
        *(Column(name, "number", missing=NA) for name in INDICATORS),
        *(Column(name, "number", missing=NA, scale="money") for name in MARKDOWNS),
        Column("IsHoliday", "bool"),
    ),
    key=("Store", "Date"),
)
STORES = TableSpec(
    "stores",
    (STORE, Column("Type", max_length=40), Column("Size", "integer", minimum=0)),
    key=("Store",),
)
SPECS = {"train": TRAIN, "features": FEATURES, "stores": STORES}


def store_code(numbers: pd.Series) -> pd.Series:
    """``STORE-01`` for store 1 (formatted once per distinct number, then mapped)."""
    return numbers.map({n: f"STORE-{int(n):02d}" for n in numbers.unique()})


def dept_code(numbers: pd.Series) -> pd.Series:
    """``DEPT-01`` for department 1."""
    return numbers.map({n: f"DEPT-{int(n):02d}" for n in numbers.unique()})


def parse(files: list[tuple[Path, str]], *, grain: str | None, report: ImportReport) -> Batch:
    tables: dict[str, pd.DataFrame] = {}
    for path, name in files:
        stem = name.lower().split(".")[0]
        if stem not in SPECS:
            report.files.append(name)
            report.file_error(
                name, f"file '{name}' is not one of train, features, stores (.csv or .csv.gz)"
            )
            continue
        typed = load_table(path, name, SPECS[stem], report)
        if typed is not None:
            tables[stem] = good_rows(typed)
    batch = Batch()
    if "train" not in {name.lower().split(".")[0] for _, name in files}:
        report.file_error("train", "'train.csv' is required for the walmart format")
    if "train" not in tables:
        return batch
    train = tables["train"]
    features = tables.get("features")
    _add_master(batch, train, tables.get("stores"), features)
    markdowns = _markdowns(features) if features is not None else None
    _add_sales(batch, train, markdowns)
    _add_holidays(batch, train, features)
    if markdowns is not None:
        batch.add("promotions", markdowns)
        batch.add("indicators", _indicators(features))
    return batch


def _add_master(
    batch: Batch, train: pd.DataFrame, stores: pd.DataFrame | None, features: pd.DataFrame | None
) -> None:
    # Distinct values first: a set built from every row iterates 421,570 boxed integers.
    numbers = set(train["Store"].unique())
    if features is not None:
        numbers |= set(features["Store"].unique())
    frame = pd.DataFrame({"number": sorted(numbers)})
    if stores is not None:
        frame = frame.merge(
            stores[["Store", "Type", "Size"]], left_on="number", right_on="Store", how="left"
        )
    else:
        frame["Type"], frame["Size"] = "", pd.NA
    codes = store_code(frame["number"])
    batch.add(
        "regions", pd.DataFrame({"code": [REGION], "name": [REGION_NAME], "_file": "", "_row": 0})
    )
    batch.add(
        "stores",
        pd.DataFrame(
            {
                "code": codes,
                "name": "Walmart store " + frame["number"].astype(str),
                "region": REGION,
                "store_format": frame["Type"].fillna(""),
                "floor_area_m2": frame["Size"].astype("Int64"),
                "_file": "stores",
                "_row": 0,
            }
        ),
    )
    depts = pd.Series(sorted(set(train["Dept"].unique())))
    batch.add(
        "categories",
        pd.DataFrame({"code": [CATEGORY], "name": [CATEGORY_NAME], "_file": "", "_row": 0}),
    )
    batch.add(
        "skus",
        pd.DataFrame(
            {
                "code": dept_code(depts),
                "name": "Department " + depts.astype(str),
                "category": CATEGORY,
                "_file": "train",
                "_row": 0,
            }
        ),
    )


def _markdowns(features: pd.DataFrame) -> pd.DataFrame:
    """Each non-missing MarkDown<n> of a store's week is a store-wide promotion that week."""
    long = features.melt(
        id_vars=["_file", "_row", "Store", "Date"],
        value_vars=list(MARKDOWNS),
        var_name="markdown",
        value_name="value",
    ).dropna(subset=["value"])
    store = store_code(long["Store"])
    mechanic = long["markdown"].str.lower()
    return pd.DataFrame(
        {
            "_file": long["_file"],
            "_row": long["_row"],
            "code": mechanic.str.upper().str.replace("MARKDOWN", "MD")
            + "-"
            + store
            + "-"
            + long["Date"].dt.strftime("%Y-%m-%d"),
            "name": "Markdown " + long["markdown"].str[-1] + " " + store,
            "store": store,
            "sku": "",
            "start_date": long["Date"] - pd.Timedelta(days=6),
            "end_date": long["Date"],
            "mechanic": mechanic,
            "value": long["value"],
        }
    ).reset_index(drop=True)


def _add_sales(batch: Batch, train: pd.DataFrame, markdowns: pd.DataFrame | None) -> None:
    stores = store_code(train["Store"])
    on_promotion = pd.Series(False, index=train.index)
    if markdowns is not None and not markdowns.empty:
        promoted = pd.MultiIndex.from_arrays([markdowns["store"], markdowns["end_date"]])
        on_promotion = pd.Series(
            pd.MultiIndex.from_arrays([stores, train["Date"]]).isin(promoted), index=train.index
        )
    batch.add(
        "sales",
        pd.DataFrame(
            {
                "_file": train["_file"],
                "_row": train["_row"],
                "store": stores,
                "sku": dept_code(train["Dept"]),
                "date": train["Date"],
                "grain": "W",
                "quantity": float("nan"),
                "revenue": train["Weekly_Sales"],
                "price": float("nan"),
                "on_promotion": on_promotion,
            }
        ),
    )


def _add_holidays(batch: Batch, train: pd.DataFrame, features: pd.DataFrame | None) -> None:
    frames = [train] if features is None else [train, features]
    parts = [
        f.loc[f["IsHoliday"].fillna(False), ["_file", "_row", "Date"]]
        for f in frames
        if "IsHoliday" in f.columns
    ]
    if not parts:
        return
    weeks = pd.concat(parts).drop_duplicates("Date")
    names = weeks["Date"].dt.month.map(HOLIDAYS_BY_MONTH).fillna("Holiday week")
    batch.add(
        "events",
        pd.DataFrame(
            {
                "_file": weeks["_file"],
                "_row": weeks["_row"],
                "date": weeks["Date"],
                "name": names,
                "event_type": "holiday",
                "region": "",
                "store": "",
            }
        ),
    )


def _indicators(features: pd.DataFrame) -> pd.DataFrame:
    long = features.melt(
        id_vars=["_file", "_row", "Store", "Date"],
        value_vars=list(INDICATORS),
        var_name="source",
        value_name="value",
    ).dropna(subset=["value"])
    return pd.DataFrame(
        {
            "_file": long["_file"],
            "_row": long["_row"],
            "name": long["source"].map(INDICATORS),
            "date": long["Date"],
            "value": long["value"],
            "region": "",
            "store": store_code(long["Store"]),
        }
    ).reset_index(drop=True)
