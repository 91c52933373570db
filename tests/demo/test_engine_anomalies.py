"""Every injected anomaly is labelled, and each label describes something really there."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from demo.engine import DemoCompany, generate_company

KINDS = {"demand_spike", "demand_drop", "entry_error_x10", "phantom_inventory", "late_delivery"}


@pytest.fixture(scope="module")
def company() -> DemoCompany:
    return generate_company(seed=9, stores=4, skus=50, years=1, end_date=date(2025, 12, 28))


def _series(frame: pd.DataFrame, store: str, sku: str) -> pd.DataFrame:
    return frame[(frame["store_code"] == store) & (frame["sku_code"] == sku)]


def test_every_kind_is_present_in_a_small_share(company: DemoCompany) -> None:
    labels = company.anomaly_labels
    assert set(labels["kind"]) == KINDS
    n_series = len(company.stores) * len(company.skus)
    counts = labels["kind"].value_counts()
    assert (counts <= max(2, 0.01 * n_series)).all()


def test_labels_point_at_ranged_series(company: DemoCompany) -> None:
    ranged = company.sales.groupby(["store_code", "sku_code"], observed=True)["date"].agg(
        ["min", "max"]
    )
    for row in company.anomaly_labels.itertuples():
        first, last = ranged.loc[(row.store_code, row.sku_code)]
        assert first <= pd.Timestamp(row.start_date) <= pd.Timestamp(row.end_date) <= last


def test_entry_errors_stand_out(company: DemoCompany) -> None:
    errors = company.anomaly_labels[company.anomaly_labels["kind"] == "entry_error_x10"]
    assert len(errors) > 0
    for row in errors.itertuples():
        series = _series(company.sales, row.store_code, row.sku_code)
        day = series.loc[series["date"] == pd.Timestamp(row.start_date), "quantity"].item()
        assert day >= 5 * series.loc[series["quantity"] > 0, "quantity"].median()


def test_phantom_inventory_shows_stock_without_sales(company: DemoCompany) -> None:
    phantoms = company.anomaly_labels[company.anomaly_labels["kind"] == "phantom_inventory"]
    assert len(phantoms) > 0
    for row in phantoms.itertuples():
        start, end = pd.Timestamp(row.start_date), pd.Timestamp(row.end_date)
        sales = _series(company.sales, row.store_code, row.sku_code)
        assert (sales.loc[sales["date"].between(start, end), "quantity"] == 0).all()
        stock = _series(company.inventory, row.store_code, row.sku_code)
        during = stock.loc[stock["date"].between(start, end), "on_hand"]
        assert len(during) >= 2 and (during > 0).all()
        assert row.magnitude > 0


def test_late_deliveries_match_supply_orders(company: DemoCompany) -> None:
    late = company.anomaly_labels[company.anomaly_labels["kind"] == "late_delivery"]
    assert len(late) > 0
    for row in late.itertuples():
        orders = _series(company.supply_orders, row.store_code, row.sku_code)
        match = orders[
            (orders["promised_on"] == pd.Timestamp(row.start_date))
            & (orders["received_on"] == pd.Timestamp(row.end_date))
        ]
        assert len(match) == 1
        assert row.magnitude == (row.end_date - row.start_date).days >= 4


def test_demand_shocks_are_short_and_directional(company: DemoCompany) -> None:
    labels = company.anomaly_labels
    spikes = labels[labels["kind"] == "demand_spike"]
    drops = labels[labels["kind"] == "demand_drop"]
    assert (spikes["magnitude"] > 1).all() and (drops["magnitude"] < 1).all()
    for frame in (spikes, drops):
        days = (pd.to_datetime(frame["end_date"]) - pd.to_datetime(frame["start_date"])).dt.days
        assert (days <= 10).all()
    assert np.isfinite(labels["magnitude"]).all()
