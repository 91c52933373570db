"""A scoped planner's forecast run covers their series only, and never mixes two runs.

Issue 9, finding 3: a planner scoped to NORTH posting ``granularity=D&horizon=7`` replaced
the selected model of every series in the company and overwrote days 1-7 while days 8-56
stayed from the earlier run.
"""

import datetime as dt

import pytest
from django.db.models import Count
from django.urls import reverse

from accounts.models import Role
from accounts.scoping import Scope
from demo.engine import generate_company
from demo.services import demo_company_load
from forecasting.job_params import ForecastParams
from forecasting.models import Forecast, SeriesModel
from forecasting.services import forecast_scope_of
from jobs.models import JobRun, JobStatus
from jobs.services import job_start
from masterdata.models import Region, Store
from tests.factories import PlanningScopeFactory, UserFactory

END = dt.date(2025, 6, 29)
SERIES_FIELDS = ("store_id", "sku_id", "model", "blend", "run_id")
FORECAST_FIELDS = ("store_id", "sku_id", "origin", "date", "forecast", "model", "run_id")


@pytest.fixture
def company(db):
    demo_company_load(company=generate_company(seed=3, stores=3, skus=5, years=2, end_date=END))


@pytest.fixture
def north_planner(company):
    scope = PlanningScopeFactory(user=UserFactory(username="north", role=Role.PLANNER))
    scope.regions.add(Region.objects.get(code="NORTH"))
    return scope.user


def _company_run(horizon: int) -> JobRun:
    params = ForecastParams(granularity="D", horizon=horizon, windows=1, company_wide=True)
    return job_start(kind="forecast", params=params, actor=None)


def test_scoped_planners_run_leaves_other_regions_alone(client, north_planner):
    assert _company_run(horizon=14).status == JobStatus.SUCCEEDED
    north = set(Store.objects.filter(region__code="NORTH").values_list("id", flat=True))
    outside_models = list(
        SeriesModel.objects.exclude(store_id__in=north).order_by("pk").values(*SERIES_FIELDS)
    )
    outside_forecasts = list(
        Forecast.objects.exclude(store_id__in=north).order_by("pk").values(*FORECAST_FIELDS)
    )
    assert outside_models and outside_forecasts

    client.force_login(north_planner)
    response = client.post(reverse("forecasting:run"), {"granularity": "D", "horizon": "7"})

    job = JobRun.objects.filter(kind="forecast").latest("pk")
    assert response.status_code == 302
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.params["store_ids"] == sorted(north)
    assert not job.params["company_wide"]
    assert job.result["series"] == SeriesModel.objects.filter(store_id__in=north).count()
    # Out of scope: not one selected model or forecast changed.
    assert (
        list(SeriesModel.objects.exclude(store_id__in=north).order_by("pk").values(*SERIES_FIELDS))
        == outside_models
    )
    assert (
        list(Forecast.objects.exclude(store_id__in=north).order_by("pk").values(*FORECAST_FIELDS))
        == outside_forecasts
    )
    # In scope: the new run alone, 7 days, no tail left from the 14-day run.
    run = job.forecast_run
    in_scope = Forecast.objects.filter(store_id__in=north)
    assert set(in_scope.values_list("run_id", flat=True)) == {run.pk}
    assert in_scope.count() == 7 * SeriesModel.objects.filter(store_id__in=north).count()
    assert set(SeriesModel.objects.filter(store_id__in=north).values_list("run_id", flat=True)) == {
        run.pk
    }
    # Nowhere does one series show two runs at one origin.
    mixed = (
        Forecast.objects.values("store_id", "sku_id", "granularity", "origin")
        .annotate(runs=Count("run_id", distinct=True))
        .filter(runs__gt=1)
    )
    assert not mixed.exists()


def test_a_shorter_company_run_drops_the_earlier_runs_tail(company):
    assert _company_run(horizon=14).status == JobStatus.SUCCEEDED
    second = _company_run(horizon=7)
    assert second.status == JobStatus.SUCCEEDED
    assert set(Forecast.objects.values_list("run_id", flat=True)) == {second.forecast_run.pk}
    assert Forecast.objects.count() == 7 * SeriesModel.objects.count()


def test_scope_of_a_run_follows_the_users_scope(scoped_world, admin_user, planner):
    assert forecast_scope_of(Scope.for_user(admin_user)) == {"company_wide": True}
    assert forecast_scope_of(Scope.for_user(planner)) == {"company_wide": True}
    scope = forecast_scope_of(Scope.for_user(scoped_world["scoped_planner"]))
    assert scope == {
        "store_ids": (scoped_world["store_in"].pk,),
        "sku_ids": (scoped_world["sku_in"].pk,),
    }
    params = ForecastParams(granularity="W", **scope)
    assert ForecastParams.from_json(params.to_json()) == params


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"granularity": "M", "company_wide": True}, "granularity must be D"),
        ({"granularity": "D", "horizon": 121, "company_wide": True}, "between 1 and 120"),
        ({"granularity": "W", "windows": 9, "company_wide": True}, "windows must be between"),
        ({"granularity": "D"}, "covers the whole company"),
        ({"granularity": "D", "company_wide": True, "store_ids": [1]}, "lists no stores"),
        ({"granularity": "D", "store_ids": ["x"]}, "store_ids must be a list of ids"),
    ],
)
def test_forecast_params_refuse_what_cannot_run(fields, message):
    with pytest.raises(ValueError, match=message):
        ForecastParams(**fields)
