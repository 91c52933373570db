"""Forecast runs end to end on a small demo company: stored once, coherent, exportable."""

import csv
import datetime as dt

import pandas as pd
import pytest
from django.core.management import call_command

from demo.engine import generate_company
from demo.services import demo_company_load
from forecasting.engine.blend import Blend
from forecasting.history_frames import last_actual_date, load_series_frames
from forecasting.job_params import ForecastParams
from forecasting.models import BacktestPoint, Forecast, ForecastRun, ModelPin, SeriesModel
from forecasting.services import plan_chunks
from jobs.services import job_run, job_start

END = dt.date(2025, 6, 29)  # a Sunday, so daily and weekly origins coincide


@pytest.fixture
def small_company(db):
    company = generate_company(seed=3, stores=2, skus=8, years=2, end_date=END)
    demo_company_load(company=company)
    return company


def _run_forecast(granularity: str, horizon: int, windows: int = 2, reselect: bool = True):
    params = ForecastParams(
        granularity=granularity,
        horizon=horizon,
        windows=windows,
        reselect=reselect,
        company_wide=True,
    )
    return job_start(kind="forecast", params=params, actor=None)


def test_plan_chunks_respects_the_series_budget():
    chunks = plan_chunks({1: 300, 2: 300, 3: 500, 4: 1200}, chunk_series=800)
    assert chunks == [[1, 2], [3], [4]]
    assert sorted(s for chunk in chunks for s in chunk) == [1, 2, 3, 4]


def test_weekly_frames_sum_daily_sales_into_weeks_ending_sunday(small_company):
    origin = last_actual_date("W")
    assert origin.day_of_week == 6
    from masterdata.models import Store

    stores = list(Store.objects.values_list("id", flat=True))
    daily = load_series_frames(granularity="D", store_ids=stores, horizon=7, origin=origin)
    weekly = load_series_frames(granularity="W", store_ids=stores, horizon=4, origin=origin)
    last_week = daily.history[daily.history["ds"] > origin - pd.Timedelta(days=7)]
    expected = last_week.groupby("series_id")["y"].sum()
    got = weekly.history[weekly.history["ds"] == origin].set_index("series_id")["y"]
    pd.testing.assert_series_equal(
        got.sort_index(), expected.reindex(got.index).sort_index(), check_names=False
    )
    assert (weekly.future_exog["ds"] > origin).all()
    assert len(weekly.future_exog) == 4 * len(weekly.series)


def test_forecast_job_stores_each_forecast_once_and_is_idempotent(small_company):
    first = _run_forecast("D", horizon=14)
    assert first.status == "succeeded", first.error
    rows = list(
        Forecast.objects.order_by("store_id", "sku_id", "date").values_list(
            "store_id", "sku_id", "date", "forecast", "p10", "p50", "p90", "model"
        )
    )
    series = SeriesModel.objects.filter(granularity="D").count()
    assert series > 0
    assert len(rows) == series * 14

    second = _run_forecast("D", horizon=14)
    assert second.status == "succeeded", second.error
    again = list(
        Forecast.objects.order_by("store_id", "sku_id", "date").values_list(
            "store_id", "sku_id", "date", "forecast", "p10", "p50", "p90", "model"
        )
    )
    assert again == rows
    assert ForecastRun.objects.count() == 2

    # Executing a finished job again changes nothing.
    assert job_run(job_id=second.pk).pk == second.pk
    assert Forecast.objects.count() == len(rows)


def test_a_refresh_that_keeps_models_keeps_blends_with_their_weights(small_company):
    assert _run_forecast("D", horizon=14).status == "succeeded"
    blended, single, overruled = SeriesModel.objects.filter(granularity="D").order_by("id")[:3]
    weighted = Blend(("ets", "lightgbm"), (3, 1))
    SeriesModel.objects.filter(pk__in=[blended.pk, overruled.pk]).update(
        model=weighted.name, blend=weighted.to_json()
    )
    SeriesModel.objects.filter(pk=single.pk).update(
        model="naive", blend=Blend.single("naive").to_json()
    )
    ModelPin.objects.create(
        granularity="D", store_id=overruled.store_id, sku_id=overruled.sku_id, model="ets"
    )

    refresh = _run_forecast("D", horizon=14, reselect=False)
    assert refresh.status == "succeeded", refresh.error
    kept = SeriesModel.objects.get(pk=blended.pk)
    assert (kept.model, kept.chosen) == ("combo:ets+lightgbm", weighted)
    assert kept.blend_shares == [("ets", 75), ("lightgbm", 25)]
    assert SeriesModel.objects.get(pk=single.pk).model == "naive"
    pinned = SeriesModel.objects.get(pk=overruled.pk)  # a planner's pin wins over the kept blend
    assert (pinned.model, pinned.chosen, pinned.pinned) == ("ets", Blend.single("ets"), True)
    stored = Forecast.objects.filter(
        store_id=kept.store_id, sku_id=kept.sku_id, run__job_id=refresh.pk
    ).values_list("model", flat=True)
    assert list(stored) == ["combo:ets+lightgbm"] * 14


def test_forecasts_are_ordered_quantiles_and_backtest_is_stored(small_company):
    job = _run_forecast("W", horizon=8)
    assert job.status == "succeeded", job.error
    frame = pd.DataFrame(Forecast.objects.values("p10", "p50", "p90", "forecast"))
    assert (frame["p10"] <= frame["p50"]).all() and (frame["p50"] <= frame["p90"]).all()
    assert (frame["p10"] >= 0).all()
    assert BacktestPoint.objects.filter(granularity="W").exists()
    assert job.result["backtest"]["wape"] is not None


def test_export_writes_series_rows_and_coherent_aggregates(small_company, tmp_path):
    assert _run_forecast("D", horizon=7).status == "succeeded"
    series_csv, region_csv = tmp_path / "series.csv", tmp_path / "region.csv"
    call_command("export_forecasts", out=str(series_csv), granularity="daily")
    call_command("export_forecasts", out=str(region_csv), granularity="daily", level="region")
    with series_csv.open() as handle:
        series = pd.DataFrame(list(csv.DictReader(handle)))
    assert list(series.columns) == [
        "date",
        "store",
        "sku",
        "granularity",
        "forecast",
        "p10",
        "p50",
        "p90",
        "model",
    ]
    for column in ("forecast", "p10", "p50", "p90"):
        series[column] = series[column].astype(float)
    assert (series["p10"] <= series["p50"]).all() and (series["p50"] <= series["p90"]).all()
    regions = pd.read_csv(region_csv)
    assert regions["forecast"].sum() == pytest.approx(series["forecast"].sum(), rel=1e-6)
    by_date = series.groupby("date")["forecast"].sum()
    regional_by_date = regions.groupby("date")["forecast"].sum()
    pd.testing.assert_series_equal(
        by_date.sort_index(), regional_by_date.sort_index(), check_names=False, atol=1e-3
    )
