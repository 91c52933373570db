"""factory_boy factories for forecast runs, forecasts, selections, leaderboards and accuracy."""

import datetime as dt

import factory

from forecasting.engine.blend import Blend
from forecasting.models import (
    AccuracyRecord,
    BacktestPoint,
    Forecast,
    ForecastRun,
    LeaderboardEntry,
    ModelPin,
    SeriesModel,
)
from tests.factories import SKUFactory, StoreFactory

ORIGIN = dt.date(2025, 1, 19)


class ForecastRunFactory(factory.django.DjangoModelFactory):
    """A finished run (one chunk done), so selectors take its origin as the latest."""

    class Meta:
        model = ForecastRun

    granularity = "D"
    horizon = 28
    windows = 3
    origin = ORIGIN
    series_count = 1
    chunks_total = 1
    chunks_done = 1


class ForecastFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Forecast

    store = factory.SubFactory(StoreFactory)
    sku = factory.SubFactory(SKUFactory)
    granularity = "D"
    origin = ORIGIN
    date = factory.Sequence(lambda n: ORIGIN + dt.timedelta(days=n + 1))
    forecast = 10.0
    p10 = factory.LazyAttribute(lambda o: o.forecast * 0.6)
    p50 = factory.LazyAttribute(lambda o: o.forecast)
    p90 = factory.LazyAttribute(lambda o: o.forecast * 1.4)
    model = "ets"
    run = factory.SubFactory(
        ForecastRunFactory,
        granularity=factory.SelfAttribute("..granularity"),
        origin=factory.SelfAttribute("..origin"),
    )


class SeriesModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SeriesModel

    store = factory.SubFactory(StoreFactory)
    sku = factory.SubFactory(SKUFactory)
    granularity = "D"
    model = "ets"
    blend = factory.LazyAttribute(lambda row: Blend.from_name(row.model).to_json())
    demand_class = "smooth"
    adi = 1.05
    cv2 = 0.21
    fva_vs_seasonal_naive = 0.08
    run = factory.SubFactory(ForecastRunFactory, granularity=factory.SelfAttribute("..granularity"))


class LeaderboardEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeaderboardEntry

    store = factory.SubFactory(StoreFactory)
    sku = factory.SubFactory(SKUFactory)
    granularity = "D"
    model = "ets"
    rmsse = 0.8
    mase = 0.9
    wape = 0.3
    bias = 0.02
    windows = 3
    run = factory.SubFactory(ForecastRunFactory, granularity=factory.SelfAttribute("..granularity"))


class BacktestPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BacktestPoint

    store = factory.SubFactory(StoreFactory)
    sku = factory.SubFactory(SKUFactory)
    granularity = "D"
    date = factory.Sequence(lambda n: ORIGIN - dt.timedelta(days=n))
    forecast = 9.0
    actual = 10.0
    lead = 1
    model = "ets"


class ModelPinFactory(factory.django.DjangoModelFactory):
    """A series pin; pass ``store=None, sku=None, category=...`` for a category pin."""

    class Meta:
        model = ModelPin

    granularity = "D"
    model = "seasonal_naive"
    store = factory.SubFactory(StoreFactory)
    sku = factory.SubFactory(SKUFactory)
    category = None


class AccuracyRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccuracyRecord

    source = AccuracyRecord.Source.BACKTEST
    granularity = "D"
    evaluated_on = ORIGIN
    level = "total"
    key = "all"
    lead_bucket = "1-7 d"
    actual_sum = 100.0
    forecast_sum = 110.0
    abs_error_sum = 20.0
    points = 10
