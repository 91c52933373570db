"""The AI S&OP prototype's files: daily item x store counts, a calendar, weekly prices.

``shop_sales.csv(.gz)`` (item_id, store_id, date_id, cnt) is the sales history; the calendar
``shop_sales_dates.csv`` maps date_id to a date and a Walmart week, names events and flags
cashback days per store; ``shop_sales_prices.csv`` gives each item's shelf price per week.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pandas as pd

from imports.batch import Batch
from imports.columns import CODE_PATTERN, Column, TableSpec, shown, validate_table
from imports.formats.tables import good_rows, read_raw
from imports.report import ImportReport

REGION = "AI-SOP"
REGION_NAME = "AI S&OP stores"
CATEGORY = "AI-SOP"
CATEGORY_NAME = "AI S&OP items"
CASHBACK_PREFIX = "CASHBACK_"

SALES = TableSpec(
    "shop_sales",
    (
        Column("item_id", "code", required=True, max_length=64),
        Column("store_id", "code", required=True, max_length=32),
        Column("date_id", "integer", required=True, minimum=1),
        Column("cnt", "number", required=True, minimum=0, scale="quantity"),
    ),
    key=("item_id", "store_id", "date_id"),
)
CALENDAR = TableSpec(
    "shop_sales_dates",
    (
        Column("date", "date", required=True),
        Column("wm_yr_wk", "integer", required=True),
        Column("date_id", "integer", required=True, minimum=1),
        Column("event_name_1", max_length=120),
        Column("event_type_1", max_length=40),
        Column("event_name_2", max_length=120),
        Column("event_type_2", max_length=40),
    ),
    key=("date_id",),
    ignored=("weekday", "wday", "month", "year"),
    ignored_prefixes=(CASHBACK_PREFIX,),
)
PRICES = TableSpec(
    "shop_sales_prices",
    (
        Column("store_id", "code", required=True, max_length=32),
        Column("item_id", "code", required=True, max_length=64),
        Column("wm_yr_wk", "integer", required=True),
        Column("sell_price", "number", required=True, minimum=0, scale="money"),
    ),
    key=("store_id", "item_id", "wm_yr_wk"),
)
SPECS = {"shop_sales": SALES, "shop_sales_dates": CALENDAR, "shop_sales_prices": PRICES}


def parse(files: list[tuple[Path, str]], *, grain: str | None, report: ImportReport) -> Batch:
    tables: dict[str, pd.DataFrame] = {}
    for path, name in files:
        stem = name.lower().split(".")[0]
        if stem not in SPECS:
            report.files.append(name)
            report.file_error(
                name,
                f"file '{name}' is not one of shop_sales, shop_sales_dates, "
                "shop_sales_prices (.csv or .csv.gz)",
            )
            continue
        raw = read_raw(path, name, SPECS[stem], report)
        if raw is not None:
            spec = _with_cashback(SPECS[stem], raw, report, name)
            tables[stem] = validate_table(spec, raw, report)
    batch = Batch()
    given = {name.lower().split(".")[0] for _, name in files}
    for needed in ("shop_sales", "shop_sales_dates"):
        if needed not in given:
            report.file_error(needed, f"'{needed}.csv' is required for the ai-sop format")
    if "shop_sales" not in tables or "shop_sales_dates" not in tables:
        return batch
    calendar = good_rows(tables["shop_sales_dates"])
    sales = tables["shop_sales"]
    unknown_day = ~sales["date_id"].isin(calendar["date_id"]) & ~sales["_bad"]
    if unknown_day.any():
        report.row_errors(
            sales.loc[unknown_day],
            "date_id",
            [f"date_id {d} is not in shop_sales_dates" for d in sales.loc[unknown_day, "date_id"]],
        )
        sales.loc[unknown_day, "_bad"] = True
    sales = good_rows(sales)
    cashback = _cashback_days(calendar)
    _add_master(batch, sales)
    _add_sales(
        batch,
        sales,
        calendar,
        good_rows(tables["shop_sales_prices"]) if "shop_sales_prices" in tables else None,
        cashback,
    )
    _add_events(batch, calendar)
    _add_promotions(batch, cashback)
    return batch


def _with_cashback(
    spec: TableSpec, raw: pd.DataFrame, report: ImportReport, name: str
) -> TableSpec:
    """The calendar has one CASHBACK_<store> flag column per store: add them to its spec.

    The store code comes from the header, so a header whose code is not a safe code is
    ignored with a warning.
    """
    flags = []
    for column in raw.columns:
        if not column.startswith(CASHBACK_PREFIX):
            continue
        if re.fullmatch(CODE_PATTERN, column.removeprefix(CASHBACK_PREFIX)):
            flags.append(Column(column, "bool"))
            continue
        report.warnings.append(f"{name}: column '{shown(column)}' names no valid store; ignored")
    return replace(spec, columns=spec.columns + tuple(flags)) if flags else spec


def _cashback_days(calendar: pd.DataFrame) -> pd.DataFrame:
    """One row per (store, date) with cashback."""
    flags = [c for c in calendar.columns if c.startswith(CASHBACK_PREFIX)]
    long = calendar[["date", *flags]].melt(id_vars="date", var_name="store", value_name="on")
    long = long[long["on"].fillna(False).astype(bool)]
    long["store"] = long["store"].str.removeprefix(CASHBACK_PREFIX)
    return long[["store", "date"]].reset_index(drop=True)


def _item_category(items: pd.Series, stores: set[str]) -> pd.Series:
    """The item id's prefix (``HOBBIES_1`` of ``HOBBIES_1_001``) unless it is a store id."""
    prefix = items.str.rsplit("_", n=1).str[0].where(items.str.contains("_"), "")
    return prefix.where((prefix != "") & ~prefix.isin(stores), CATEGORY)


def _add_master(batch: Batch, sales: pd.DataFrame) -> None:
    store_codes = sorted(sales["store_id"].unique())
    batch.add(
        "regions", pd.DataFrame({"code": [REGION], "name": [REGION_NAME], "_file": "", "_row": 0})
    )
    batch.add(
        "stores",
        pd.DataFrame(
            {
                "code": store_codes,
                "name": store_codes,
                "region": REGION,
                "_file": "shop_sales",
                "_row": 0,
            }
        ),
    )
    items = pd.Series(sorted(sales["item_id"].unique()), dtype=str)
    categories = _item_category(items, set(store_codes))
    names = categories.map(lambda c: CATEGORY_NAME if c == CATEGORY else c)
    batch.add(
        "categories",
        pd.DataFrame({"code": categories, "name": names, "_file": "", "_row": 0}).drop_duplicates(
            "code"
        ),
    )
    batch.add(
        "skus",
        pd.DataFrame(
            {"code": items, "name": items, "category": categories, "_file": "shop_sales", "_row": 0}
        ),
    )


def _add_sales(
    batch: Batch,
    sales: pd.DataFrame,
    calendar: pd.DataFrame,
    prices: pd.DataFrame | None,
    cashback: pd.DataFrame,
) -> None:
    frame = sales.merge(calendar[["date_id", "date", "wm_yr_wk"]], on="date_id", how="left")
    if prices is not None:
        frame = frame.merge(
            prices[["store_id", "item_id", "wm_yr_wk", "sell_price"]],
            on=["store_id", "item_id", "wm_yr_wk"],
            how="left",
        )
    else:
        frame["sell_price"] = float("nan")
    promoted = cashback.assign(on_promotion=True).rename(columns={"store": "store_id"})
    frame = frame.merge(promoted, on=["store_id", "date"], how="left")
    batch.add(
        "sales",
        pd.DataFrame(
            {
                "_file": frame["_file"],
                "_row": frame["_row"],
                "store": frame["store_id"],
                "sku": frame["item_id"],
                "date": frame["date"],
                "grain": "D",
                "quantity": frame["cnt"],
                "price": frame["sell_price"],
                "revenue": frame["cnt"] * frame["sell_price"],
                "on_promotion": frame["on_promotion"].eq(True),
            }
        ),
    )


def _add_events(batch: Batch, calendar: pd.DataFrame) -> None:
    parts = []
    for n in (1, 2):
        if f"event_name_{n}" not in calendar.columns:
            continue
        named = calendar[calendar[f"event_name_{n}"] != ""]
        parts.append(
            pd.DataFrame(
                {
                    "_file": named["_file"],
                    "_row": named["_row"],
                    "date": named["date"],
                    "name": named[f"event_name_{n}"],
                    "event_type": named.get(f"event_type_{n}", pd.Series("", index=named.index))
                    .fillna("")
                    .str.lower(),
                }
            )
        )
    if not parts:
        return
    events = pd.concat(parts, ignore_index=True).drop_duplicates(["date", "name"])
    batch.add("events", events.assign(region="", store=""))


def _add_promotions(batch: Batch, cashback: pd.DataFrame) -> None:
    """Consecutive cashback days of a store become one promotion."""
    if cashback.empty:
        return
    days = cashback.sort_values(["store", "date"]).reset_index(drop=True)
    new_run = (days["store"] != days["store"].shift()) | (
        days["date"] - days["date"].shift() != pd.Timedelta(days=1)
    )
    days["run"] = new_run.cumsum()
    runs = (
        days.groupby("run")
        .agg(store=("store", "first"), start_date=("date", "min"), end_date=("date", "max"))
        .reset_index(drop=True)
    )
    runs["code"] = "CASHBACK-" + runs["store"] + "-" + runs["start_date"].dt.strftime("%Y-%m-%d")
    runs["name"] = "Cashback " + runs["store"]
    runs["mechanic"] = "cashback"
    runs["sku"] = ""
    runs["_file"] = "shop_sales_dates"
    runs["_row"] = 0
    batch.add("promotions", runs)
