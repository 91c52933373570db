"""Physical and accounting invariants every consumer of the demo data may rely on."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from demo.engine import DemoCompany, generate_company


@pytest.fixture(scope="module")
def company() -> DemoCompany:
    return generate_company(seed=5, stores=3, skus=20, years=1, end_date=date(2025, 12, 28))


def test_sales_quantities_and_revenue(company: DemoCompany) -> None:
    sales = company.sales
    assert (sales["quantity"] >= 0).all()
    assert (sales["quantity"] == sales["quantity"].round()).all()
    assert (sales["price"] > 0).all()
    np.testing.assert_allclose(sales["revenue"], sales["quantity"] * sales["price"], atol=0.006)


def test_promoted_price_is_below_or_at_list(company: DemoCompany) -> None:
    sales = company.sales
    per_day = sales.groupby(["sku_code", "date"], observed=True)["price"].max()
    promoted = sales[sales["on_promotion"]].set_index(["sku_code", "date"])["price"]
    assert (promoted <= per_day.reindex(promoted.index)).all()


def test_sku_prices(company: DemoCompany) -> None:
    skus = company.skus
    assert (skus["unit_price"] > skus["unit_cost"]).all()
    assert (skus["unit_cost"] > 0).all()
    assert (skus["unit_price"] == skus["unit_price"].round(2)).all()
    assert (skus["case_pack"] >= 1).all()
    assert (skus["min_order_qty"] % skus["case_pack"] == 0).all()
    assert (skus["lead_time_days"] >= 1).all()
    assert skus["is_active"].eq(skus["discontinued_on"].isna()).all()


def test_inventory_is_never_negative(company: DemoCompany) -> None:
    assert (company.inventory["on_hand"] >= 0).all()
    assert (company.inventory["on_order"] >= 0).all()


def test_supply_orders(company: DemoCompany) -> None:
    orders = company.supply_orders
    skus = company.skus.set_index("code")
    received = orders.dropna(subset=["received_on"])
    assert (orders["promised_on"] >= orders["ordered_on"]).all()
    assert (received["received_on"] > received["ordered_on"]).all()
    assert (received["quantity_received"] == received["quantity_ordered"]).all()
    open_orders = orders[orders["received_on"].isna()]
    assert open_orders["quantity_received"].isna().all()
    recent = pd.Timestamp(company.end_date) - pd.Timedelta(days=45)
    assert (open_orders["ordered_on"] > recent).all()
    pack = orders["sku_code"].astype(str).map(skus["case_pack"])
    moq = orders["sku_code"].astype(str).map(skus["min_order_qty"])
    assert (orders["quantity_ordered"] % pack == 0).all()
    assert (orders["quantity_ordered"] >= moq).all()


def test_windows_end_after_they_start(company: DemoCompany) -> None:
    for name in ("promotions", "anomaly_labels"):
        frame = getattr(company, name)
        assert (frame["end_date"] >= frame["start_date"]).all(), name


def test_promotions_are_well_formed(company: DemoCompany) -> None:
    promos = company.promotions
    assert set(promos["mechanic"]) <= {"price_cut", "multibuy", "display"}
    assert promos["discount_pct"].between(0, 60).all()
    assert (promos.loc[promos["mechanic"] == "display", "discount_pct"] == 0).all()
    assert (promos.loc[promos["mechanic"] != "display", "discount_pct"] > 0).all()
    assert promos["store_code"].isna().any() and promos["store_code"].notna().any()


def test_events_and_indicators(company: DemoCompany) -> None:
    events = company.events
    assert set(events["event_type"]) <= {"holiday", "sporting", "cultural", "local"}
    assert not events.duplicated(["date", "name", "region_code"]).any()
    assert "Christmas Day" in set(events["name"])
    indicators = company.indicators
    assert set(indicators["name"]) == {"temperature", "cpi", "fuel_price", "unemployment"}
    assert not indicators.duplicated(["name", "region_code", "date"]).any()
    assert (pd.to_datetime(indicators["date"]).dt.day_of_week == 6).all()


def test_stores_close_on_christmas_day(company: DemoCompany) -> None:
    christmas = company.sales[company.sales["date"] == pd.Timestamp(2025, 12, 25)]
    assert len(christmas) > 0
    assert (christmas["quantity"] == 0).all()


def test_stock_balances_between_snapshots(company: DemoCompany) -> None:
    """on_hand(t2) = on_hand(t1) + received - sold in (t1, t2], for untouched series."""
    labels = company.anomaly_labels
    touched = set(zip(labels["store_code"], labels["sku_code"], strict=True))
    inv = company.inventory.assign(
        store=lambda f: f["store_code"].astype(str), sku=lambda f: f["sku_code"].astype(str)
    )
    sales = company.sales.assign(
        store=lambda f: f["store_code"].astype(str), sku=lambda f: f["sku_code"].astype(str)
    )
    orders = company.supply_orders.dropna(subset=["received_on"]).assign(
        store=lambda f: f["store_code"].astype(str), sku=lambda f: f["sku_code"].astype(str)
    )
    checked = 0
    for (store, sku), snaps in inv.groupby(["store", "sku"]):
        if (store, sku) in touched or len(snaps) < 3:
            continue
        t1, t2 = snaps["date"].iloc[1], snaps["date"].iloc[-1]
        s = sales[(sales["store"] == store) & (sales["sku"] == sku)]
        o = orders[(orders["store"] == store) & (orders["sku"] == sku)]
        sold = s.loc[(s["date"] > t1) & (s["date"] <= t2), "quantity"].sum()
        got = o.loc[(o["received_on"] > t1) & (o["received_on"] <= t2), "quantity_received"].sum()
        assert snaps["on_hand"].iloc[-1] == pytest.approx(snaps["on_hand"].iloc[1] + got - sold)
        checked += 1
    assert checked > 20
