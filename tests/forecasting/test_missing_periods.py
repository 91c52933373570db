"""Missing store-periods and closures from the database to the forecast and its accuracy."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from forecasting.accuracy import live_accuracy_refresh
from forecasting.engine import WEEKLY, PipelineConfig, run_forecast_pipeline
from forecasting.engine.models import benchmark_candidates, statistical_candidates
from forecasting.history_frames import last_actual_date, load_series_frames
from forecasting.models import AccuracyRecord
from history.models import StoreClosure
from imports.services import import_files
from tests.factories import SalesFactFactory, SKUFactory, StoreFactory
from tests.forecasting.factories import ForecastFactory, ForecastRunFactory
from tests.imports.helpers import write_csv

pytestmark = pytest.mark.django_db

WEEKS = 60
FRIDAYS = [dt.date(2023, 1, 6) + dt.timedelta(weeks=w) for w in range(WEEKS)]
SKUS = ("A1", "A2", "A3")


@pytest.fixture
def stores(db):
    for code in SKUS:
        SKUFactory(code=code)
    return {code: StoreFactory(code=code) for code in ("S1", "S2")}


def weekly_import(folder, *, without: dt.date, gaps: str = "missing"):
    """Two stores × three SKUs selling about 20 a week; S2 sent nothing for ``without``."""
    rng = np.random.default_rng(7)
    lines = ["date,store,sku,quantity"]
    for day in FRIDAYS:
        for store in ("S1", "S2"):
            for sku in SKUS:
                if (store, day) != ("S2", without):
                    lines.append(f"{day},{store},{sku},{rng.poisson(20)}")
    write_csv(folder, "sales.csv", "\n".join(lines) + "\n")
    report = import_files(fmt="sop", paths=[folder], gaps=gaps)
    assert report.is_valid, report.errors
    return report


def frames_of(store_ids):
    origin = last_actual_date("W")
    return load_series_frames(granularity="W", store_ids=store_ids, horizon=4, origin=origin)


def week_end(day: dt.date) -> pd.Timestamp:
    """The import dates every week by its Friday, so the company's weeks end on Friday."""
    return pd.Timestamp(day)


def test_a_store_missing_a_week_is_missing_in_the_frame_not_zero(stores, tmp_path):
    report = weekly_import(tmp_path, without=FRIDAYS[30])
    assert "1 store-week had no rows and is read as missing" in report.notes
    history = frames_of([s.pk for s in stores.values()]).history
    week = history[history["ds"] == week_end(FRIDAYS[30])]
    s2 = week["series_id"].str.startswith(f"{stores['S2'].pk}:")
    assert week.loc[s2, "y"].isna().all() and len(week[s2]) == 3
    assert week.loc[~s2, "y"].notna().all()
    assert history["y"].isna().sum() == 3


def test_the_forecast_is_not_dragged_down_by_a_missing_last_week(stores, tmp_path):
    weekly_import(tmp_path, without=FRIDAYS[-2])
    config = PipelineConfig(
        granularity=WEEKLY,
        horizon=4,
        windows=2,
        candidates=[*benchmark_candidates(), *statistical_candidates(arima_max_series=0)],
    )
    s2 = [stores["S2"].pk]

    def s2_forecast() -> float:
        frames = frames_of(s2)
        # The frames' weeks end on Friday, as the import dated them.
        weekly = replace(config, granularity=frames.granularity)
        return run_forecast_pipeline(frames.history, weekly).forecasts["forecast"].sum()

    as_missing = s2_forecast()
    weekly_import(tmp_path, without=FRIDAYS[-2], gaps="zero")
    as_zero = s2_forecast()
    expected = 3 * 4 * 20
    assert abs(as_missing / expected - 1) < 0.1
    assert as_zero < as_missing


def test_closures_are_missing_days_and_mostly_closed_weeks(stores):
    store, sku = stores["S1"], SKUFactory(code="B1")
    for k in range(28):
        SalesFactFactory(store=store, sku=sku, date=dt.date(2025, 3, 3) + dt.timedelta(days=k))
    StoreClosure.objects.create(
        store=store, start_date=dt.date(2025, 3, 5), end_date=dt.date(2025, 3, 6)
    )
    StoreClosure.objects.create(
        store=store, start_date=dt.date(2025, 3, 17), end_date=dt.date(2025, 3, 21), reason="works"
    )
    origin = pd.Timestamp("2025-03-30")
    daily = load_series_frames(granularity="D", store_ids=[store.pk], horizon=3, origin=origin)
    gone = daily.history.loc[daily.history["y"].isna(), "ds"].dt.day.tolist()
    assert gone == [5, 6, 17, 18, 19, 20, 21]
    weekly = load_series_frames(granularity="W", store_ids=[store.pk], horizon=3, origin=origin)
    # Two closed days leave the week's sales standing; five of seven make it missing.
    assert weekly.history.loc[weekly.history["y"].isna(), "ds"].tolist() == [
        pd.Timestamp("2025-03-23")
    ]


def test_live_accuracy_skips_the_closed_days(stores):
    store, sku = stores["S1"], SKUFactory(code="B1")
    for k in range(10):
        day = dt.date(2025, 3, 1) + dt.timedelta(days=k)
        if day != dt.date(2025, 3, 8):
            SalesFactFactory(store=store, sku=sku, date=day, quantity=10)
    StoreClosure.objects.create(
        store=store, start_date=dt.date(2025, 3, 8), end_date=dt.date(2025, 3, 8)
    )
    run = ForecastRunFactory(origin=dt.date(2025, 3, 7))
    for k in range(7, 10):
        ForecastFactory(
            store=store,
            sku=sku,
            origin=run.origin,
            run=run,
            date=dt.date(2025, 3, 1) + dt.timedelta(days=k),
        )
    assert live_accuracy_refresh(granularity="D") == 2
    total = AccuracyRecord.objects.filter(level="total")
    assert sorted(total.values_list("evaluated_on", flat=True)) == [
        dt.date(2025, 3, 9),
        dt.date(2025, 3, 10),
    ]
