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
