"""Weekly sources dated by another weekday (Walmart: Fridays) align to weeks ending Sunday."""

import datetime as dt

import pandas as pd

from forecasting.history_frames import last_actual_date, load_series_frames
from history.models import Grain
from tests.factories import SalesFactFactory, SKUFactory, StoreFactory


def test_friday_dated_weekly_sales_keep_their_last_week(db):
    store, sku = StoreFactory(), SKUFactory()
    fridays = [dt.date(2012, 9, 7) + dt.timedelta(weeks=k) for k in range(8)]
    for k, friday in enumerate(fridays):
        SalesFactFactory(
            store=store, sku=sku, date=friday, grain=Grain.WEEK, quantity=None, revenue=100.0 + k
        )
    origin = last_actual_date("W")
    assert origin == pd.Timestamp("2012-10-28")  # the Sunday ending the last Friday's week
    frames = load_series_frames(granularity="W", store_ids=[store.pk], horizon=2, origin=origin)
    assert frames.history["ds"].max() == origin
    assert frames.history.loc[frames.history["ds"] == origin, "y"].item() == 107.0
    assert (frames.future_exog["ds"].dt.day_of_week == 6).all()


def test_daily_facts_keep_their_values_and_only_the_periods_asked_for(db):
    """Read through COPY on PostgreSQL and a plain query elsewhere: values and flags agree."""
    store, sku = StoreFactory(), SKUFactory()
    days = [dt.date(2025, 3, 1) + dt.timedelta(days=k) for k in range(10)]
    for k, day in enumerate(days):
        if k == 4:
            continue  # no row: a day without sales
        SalesFactFactory(
            store=store, sku=sku, date=day, quantity=float(k), price=2.0 + k, on_promotion=k == 7
        )
    origin = pd.Timestamp(days[-1])
    frames = load_series_frames(granularity="D", store_ids=[store.pk], horizon=3, origin=origin)
    history = frames.history.set_index("ds")
    assert len(history) == 10
    assert history["y"].tolist() == [0, 1, 2, 3, 0, 5, 6, 7, 8, 9]
    assert history["on_promotion"].tolist() == [0, 0, 0, 0, 0, 0, 0, 1, 0, 0]
    assert history.loc["2025-03-06", "price"] == 7.0
    assert history.loc["2025-03-05", "price"] == 5.0  # carried forward over the empty day

    recent = load_series_frames(
        granularity="D", store_ids=[store.pk], horizon=3, origin=origin, max_periods=4
    )
    assert recent.history["ds"].min() == pd.Timestamp("2025-03-07")
    assert recent.history["y"].tolist() == [6, 7, 8, 9]
