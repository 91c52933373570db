"""Shape, schema, determinism and referential integrity of the generated company."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from demo.engine import DemoCompany, generate_company
from demo.engine.calendar import default_end_date

END = date(2025, 12, 28)
COLUMNS = {
    "regions": ["code", "name"],
    "warehouses": ["code", "name", "region_code"],
    "stores": [
        "code",
        "name",
        "region_code",
        "store_format",
        "floor_area_m2",
        "warehouse_code",
        "opened_on",
    ],
    "categories": ["code", "name", "parent_code"],
    "skus": [
        "code",
        "name",
        "category_code",
        "unit_cost",
        "unit_price",
        "lead_time_days",
        "min_order_qty",
        "case_pack",
        "shelf_life_days",
        "is_active",
        "launched_on",
        "discontinued_on",
    ],
    "sales": ["date", "store_code", "sku_code", "quantity", "revenue", "price", "on_promotion"],
    "inventory": ["date", "store_code", "sku_code", "on_hand", "on_order"],
    "supply_orders": [
        "order_ref",
        "store_code",
        "sku_code",
        "ordered_on",
        "promised_on",
        "received_on",
        "quantity_ordered",
        "quantity_received",
    ],
    "promotions": [
        "code",
        "name",
        "store_code",
        "sku_code",
        "start_date",
        "end_date",
        "mechanic",
        "discount_pct",
    ],
    "events": ["date", "name", "event_type", "region_code"],
    "indicators": ["name", "region_code", "date", "value"],
    "anomaly_labels": [
        "kind",
        "store_code",
        "sku_code",
        "start_date",
        "end_date",
        "magnitude",
        "note",
    ],
}


@pytest.fixture(scope="module")
def company() -> DemoCompany:
    return generate_company(seed=3, stores=3, skus=20, years=1, end_date=END)


def test_same_seed_gives_identical_frames(company: DemoCompany) -> None:
    again = generate_company(seed=3, stores=3, skus=20, years=1, end_date=END)
    for name in COLUMNS:
        pd.testing.assert_frame_equal(getattr(company, name), getattr(again, name))


def test_other_seed_gives_other_history(company: DemoCompany) -> None:
    other = generate_company(seed=4, stores=3, skus=20, years=1, end_date=END)
    assert not company.sales["quantity"].equals(other.sales["quantity"])


@pytest.mark.parametrize("name", list(COLUMNS))
def test_columns(company: DemoCompany, name: str) -> None:
    assert list(getattr(company, name).columns) == COLUMNS[name]


def test_master_sizes(company: DemoCompany) -> None:
    assert len(company.regions) == 3
    assert len(company.warehouses) == 2
    assert len(company.stores) == 3
    assert len(company.skus) == 20
    leaves = set(company.categories["code"]) - set(company.categories["parent_code"].dropna())
    assert len(leaves) == 8
    assert company.categories["parent_code"].isna().sum() >= 1


def test_history_ends_on_requested_day(company: DemoCompany) -> None:
    assert company.end_date == END
    assert company.sales["date"].max() == pd.Timestamp(END)
    assert company.sales["date"].min() == pd.Timestamp(company.start_date)
    assert (company.end_date - company.start_date).days == 364


def test_default_end_date_is_previous_sunday() -> None:
    assert default_end_date(date(2026, 11, 25)) == date(2026, 11, 22)
    assert default_end_date(date(2026, 11, 22)) == date(2026, 11, 15)
    assert default_end_date(date(2026, 11, 23)) == date(2026, 11, 22)


def test_codes_are_unique(company: DemoCompany) -> None:
    for name, key in [
        ("regions", "code"),
        ("warehouses", "code"),
        ("stores", "code"),
        ("categories", "code"),
        ("skus", "code"),
        ("promotions", "code"),
        ("supply_orders", "order_ref"),
    ]:
        assert getattr(company, name)[key].is_unique, name


def test_references_exist(company: DemoCompany) -> None:
    regions = set(company.regions["code"])
    stores = set(company.stores["code"])
    skus = set(company.skus["code"])
    assert set(company.warehouses["region_code"]) <= regions
    assert set(company.stores["region_code"]) <= regions
    assert set(company.stores["warehouse_code"]) <= set(company.warehouses["code"])
    assert set(company.categories["parent_code"].dropna()) <= set(company.categories["code"])
    assert set(company.skus["category_code"]) <= set(company.categories["code"])
    for name in ("sales", "inventory", "supply_orders", "anomaly_labels"):
        frame = getattr(company, name)
        assert set(frame["store_code"].astype(str)) <= stores, name
        assert set(frame["sku_code"].astype(str)) <= skus, name
    assert set(company.promotions["store_code"].dropna()) <= stores
    assert set(company.promotions["sku_code"]) <= skus
    assert set(company.events["region_code"].dropna()) <= regions
    assert set(company.indicators["region_code"]) == regions


def test_sales_rows_cover_exactly_the_ranged_days(company: DemoCompany) -> None:
    skus = company.skus.set_index("code")
    start, end = pd.Timestamp(company.start_date), pd.Timestamp(company.end_date)
    first = pd.to_datetime(skus["launched_on"]).clip(lower=start)
    stop = pd.to_datetime(skus["discontinued_on"]).fillna(end + pd.Timedelta(days=1))
    expected = (stop.clip(upper=end + pd.Timedelta(days=1)) - first).dt.days.clip(lower=0) * len(
        company.stores
    )
    counts = company.sales.groupby(company.sales["sku_code"].astype(str)).size()
    pd.testing.assert_series_equal(
        counts.sort_index(), expected.sort_index(), check_names=False, check_index_type=False
    )
    assert not company.sales.duplicated(["date", "store_code", "sku_code"]).any()


def test_inventory_is_weekly_on_sundays(company: DemoCompany) -> None:
    dates = company.inventory["date"].drop_duplicates()
    assert (dates.dt.day_of_week == 6).all()
    assert (dates.diff().dropna() == pd.Timedelta(days=7)).all()
    fortnightly = generate_company(
        seed=3, stores=2, skus=10, years=1, end_date=END, inventory_every_days=14
    )
    gaps = fortnightly.inventory["date"].drop_duplicates().diff().dropna()
    assert (gaps == pd.Timedelta(days=14)).all()


def test_scales_with_arguments() -> None:
    small = generate_company(seed=1, stores=2, skus=8, years=1, end_date=END)
    assert len(small.stores) == 2 and len(small.skus) == 8
    assert set(small.skus["category_code"]) == set(
        small.categories.loc[small.categories["parent_code"].notna(), "code"]
    )
    assert np.isin(
        small.stores["store_format"], ["hypermarket", "supermarket", "convenience"]
    ).all()
