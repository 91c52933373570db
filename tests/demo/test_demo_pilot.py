"""Loading the demo leaves a finished pilot over a past quarter of its history: designed as
an admin would (stratified by region, seed recorded), measured and finished, so the pilot
pages and the board pack have a real scorecard on a fresh install. Loading twice keeps it."""

import datetime as dt

import pytest

from demo.jobs import DEMO_LOAD_KIND, DemoLoadParams
from demo.services import DEMO_PILOT_NAME, DEMO_PILOT_SEED, demo_pilot_ensure
from jobs.services import job_start
from masterdata.models import Store
from pilots.analysis import pilot_analysis
from pilots.models import Design, KpiValue, Pilot, PilotStatus, PilotStore


@pytest.mark.django_db
def test_loading_the_demo_leaves_a_finished_stratified_pilot_with_its_kpis():
    job = job_start(
        kind=DEMO_LOAD_KIND, params=DemoLoadParams(seed=5, stores=6, skus=5, years=1), actor=None
    )
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert job.result["pilot"] == DEMO_PILOT_NAME
    pilot = Pilot.objects.get(name=DEMO_PILOT_NAME)
    history_end = dt.date.fromisoformat(job.result["end_date"])
    assert pilot.status == PilotStatus.FINISHED
    assert (pilot.design, pilot.strata, pilot.seed) == (
        Design.STRATIFIED,
        ["region"],
        DEMO_PILOT_SEED,
    )
    assert pilot.end_date <= history_end - dt.timedelta(weeks=4)
    assert (pilot.end_date - pilot.start_date).days + 1 == 91
    assert pilot.start_date.weekday() == 0  # whole weeks
    members = PilotStore.objects.filter(pilot=pilot).select_related("store")
    assert members.count() == Store.objects.count() == 6
    for region in {m.store.region_id for m in members}:
        groups = [m.group for m in members if m.store.region_id == region]
        assert abs(sum(groups) - (len(groups) - sum(groups))) <= 1  # split within each region
    first_day = min(KpiValue.objects.filter(pilot=pilot).values_list("date", flat=True))
    assert first_day == pilot.start_date - dt.timedelta(weeks=pilot.pre_period_weeks)
    analysis = pilot_analysis(pilot=pilot)
    assert not analysis.peeking
    assert any(result.effect is not None for result in analysis.results)
    rows = KpiValue.objects.filter(pilot=pilot).count()
    again = demo_pilot_ensure(
        store_codes=list(Store.objects.values_list("code", flat=True)), history_end=history_end
    )
    assert again.pk == pilot.pk and KpiValue.objects.filter(pilot=pilot).count() == rows


@pytest.mark.django_db
def test_no_demo_pilot_with_too_short_a_history_or_too_few_stores():
    job = job_start(
        kind=DEMO_LOAD_KIND, params=DemoLoadParams(seed=5, stores=6, skus=3, years=1), actor=None
    )
    job.refresh_from_db()
    Pilot.objects.all().delete()
    history_end = dt.date.fromisoformat(job.result["end_date"])
    codes = list(Store.objects.values_list("code", flat=True))
    early = history_end - dt.timedelta(weeks=30)
    assert demo_pilot_ensure(store_codes=codes, history_end=early) is None
    assert demo_pilot_ensure(store_codes=codes[:3], history_end=history_end) is None
    assert not Pilot.objects.exists()
