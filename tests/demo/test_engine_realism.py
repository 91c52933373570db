"""The patterns demand planners and engines are meant to find are really in the data."""

from datetime import date

import pandas as pd
import pytest

from demo.engine import DemoCompany, generate_company


@pytest.fixture(scope="module")
def company() -> DemoCompany:
    return generate_company(seed=7, stores=3, skus=40, years=1, end_date=date(2025, 12, 28))


@pytest.fixture(scope="module")
def sales(company: DemoCompany) -> pd.DataFrame:
    skus = company.skus.set_index("code")
    frame = company.sales.assign(sku=company.sales["sku_code"].astype(str))
    return frame.assign(
        category=frame["sku"].map(skus["category_code"]),
        month=frame["date"].dt.month,
        weekday=frame["date"].dt.day_of_week,
    )


def test_weekend_sells_more_than_weekdays(sales: pd.DataFrame) -> None:
    weekend = sales["weekday"] >= 5
    assert sales.loc[weekend, "quantity"].mean() > 1.15 * sales.loc[~weekend, "quantity"].mean()


def test_hypermarkets_peak_harder_on_saturday(company: DemoCompany, sales: pd.DataFrame) -> None:
    formats = company.stores.set_index("code")["store_format"]
    by_day = (
        sales.assign(fmt=sales["store_code"].astype(str).map(formats))
        .groupby(["fmt", "weekday"])["quantity"]
        .mean()
        .unstack()
    )
    peak = by_day[5] / by_day[[0, 1, 2, 3]].mean(axis=1)
    assert peak["hypermarket"] > peak["supermarket"] > 1


def test_soft_drinks_sell_more_in_summer(sales: pd.DataFrame) -> None:
    soft = sales[sales["category"] == "BEV-SOFT"]
    summer = soft.loc[soft["month"].isin([6, 7, 8]), "quantity"].mean()
    winter = soft.loc[soft["month"].isin([1, 2, 11]), "quantity"].mean()
    assert summer > 1.2 * winter


def test_intermittent_share_is_in_band(sales: pd.DataFrame) -> None:
    zero_share = (sales["quantity"] == 0).groupby(sales["sku"]).mean()
    assert 0.25 <= (zero_share > 0.5).mean() <= 0.35


def test_promotions_lift_sales(sales: pd.DataFrame) -> None:
    series = sales.groupby(["store_code", "sku"], observed=True)
    promoted = series["on_promotion"].transform("any")
    both = sales[promoted & (sales["quantity"].groupby(sales["sku"]).transform("mean") > 1)]
    means = both.groupby(["sku", "on_promotion"])["quantity"].mean().unstack()
    assert (means[True] / means[False]).median() > 1.3


def test_pre_christmas_ramp(sales: pd.DataFrame) -> None:
    daily = sales.groupby("date")["quantity"].sum()
    ramp = daily[pd.Timestamp(2025, 12, 18) : pd.Timestamp(2025, 12, 24)].mean()
    before = daily[pd.Timestamp(2025, 11, 3) : pd.Timestamp(2025, 11, 23)].mean()
    assert ramp > 1.2 * before


def test_new_and_discontinued_items(company: DemoCompany) -> None:
    skus = company.skus
    start = company.start_date
    assert (skus["launched_on"] > start).sum() >= 2
    assert skus["discontinued_on"].notna().sum() >= 1
    assert (~skus["is_active"]).sum() == skus["discontinued_on"].notna().sum()


def test_stock_outs_censor_sales(company: DemoCompany) -> None:
    empty = company.inventory[company.inventory["on_hand"] == 0]
    assert 0 < len(empty) < 0.2 * len(company.inventory)


def test_prices_change_during_the_year(sales: pd.DataFrame) -> None:
    list_prices = sales[~sales["on_promotion"]].groupby("sku")["price"].nunique()
    assert (list_prices > 1).mean() > 0.5


def test_lead_times_vary_around_nominal(company: DemoCompany) -> None:
    orders = company.supply_orders.dropna(subset=["received_on"])
    lateness = (orders["received_on"] - orders["promised_on"]).dt.days
    assert lateness.between(-1, 2).mean() > 0.95
    assert lateness.nunique() >= 3


def test_uplift_grows_with_discount_and_dips_afterwards(
    company: DemoCompany, sales: pd.DataFrame
) -> None:
    baseline = sales[~sales["on_promotion"]].groupby("sku")["quantity"].mean()
    chain_wide = company.promotions[company.promotions["store_code"].isna()]
    rows = []
    for promo in chain_wide.itertuples():
        start, end = pd.Timestamp(promo.start_date), pd.Timestamp(promo.end_date)
        series = sales[sales["sku"] == promo.sku_code]
        during = series.loc[series["date"].between(start, end), "quantity"].mean()
        after = series.loc[
            series["date"].between(end + pd.Timedelta(days=1), end + pd.Timedelta(days=4)),
            "quantity",
        ].mean()
        base = baseline[promo.sku_code]
        rows.append((promo.discount_pct, during / base, after / base))
    lifts = pd.DataFrame(rows, columns=["pct", "during", "after"]).dropna()
    deep = lifts.loc[lifts["pct"] >= 30, "during"].median()
    shallow = lifts.loc[lifts["pct"].between(1, 15), "during"].median()
    assert deep > shallow > 1
    assert lifts["after"].median() < 1.0
