"""The daily pilot KPI job: it measures every running pilot (and only those), finishes the
pilots whose period is over, and beat starts it every day through ``jobs.start``."""

import datetime as dt
import json

import numpy as np
import pytest
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from accounts.models import Role
from history.models import InventorySnapshot, SalesFact
from jobs.registry import job_kind_get
from jobs.services import job_start
from pilots.jobs import PILOT_KPIS_KIND, PilotKpisParams
from pilots.models import Design, KpiValue, PilotStatus
from pilots.services import PilotRefused, pilot_assign, pilot_create, pilot_finish, pilot_start
from tests.factories import RegionFactory, SKUFactory, StoreFactory, UserFactory


@pytest.fixture
def world(db):
    """Four stores with daily sales and stock over the last 120 days; an ended running pilot,
    a pilot running now and a draft."""
    admin = UserFactory(username="admin", role=Role.ADMIN)
    region = RegionFactory(code="NORTH")
    stores = [StoreFactory(code=f"S{i}", region=region) for i in range(4)]
    sku = SKUFactory(code="COLA", unit_cost=2.0)
    today = timezone.localdate()
    rng = np.random.default_rng(3)
    days = [today - dt.timedelta(days=k) for k in range(1, 121)]
    SalesFact.objects.bulk_create(
        SalesFact(store=s, sku=sku, date=d, quantity=float(rng.poisson(8)))
        for s in stores
        for d in days
    )
    InventorySnapshot.objects.bulk_create(
        InventorySnapshot(store=s, sku=sku, date=d, on_hand=float(rng.integers(20, 60)))
        for s in stores
        for d in days
    )
    ids = [s.pk for s in stores]

    def pilot(name, start, end, *, run=True):
        made = pilot_create(name=name, start_date=start, end_date=end, actor=admin)
        made.pre_period_weeks = 4
        made.save()
        pilot_assign(pilot=made, store_ids=ids, design=Design.RANDOM, actor=admin, seed=5)
        return pilot_start(pilot=made, actor=admin) if run else made

    return {
        "admin": admin,
        "ended": pilot("Ended", today - dt.timedelta(days=70), today - dt.timedelta(days=40)),
        "running": pilot("Running", today - dt.timedelta(days=30), today + dt.timedelta(days=60)),
        "draft": pilot(
            "Draft", today + dt.timedelta(days=90), today + dt.timedelta(days=180), run=False
        ),
    }


@pytest.mark.django_db
def test_the_job_measures_running_pilots_and_finishes_the_ended_ones(world):
    job = job_start(kind=PILOT_KPIS_KIND, params=PilotKpisParams(), actor=None)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    by_name = {line["pilot"]: line for line in job.result["pilots"]}
    assert set(by_name) == {"Ended", "Running"}
    assert by_name["Ended"]["finished"] and not by_name["Running"]["finished"]
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    for key in ("ended", "running"):
        pilot = world[key]
        values = KpiValue.objects.filter(pilot=pilot)
        assert values.count() == by_name[pilot.name]["rows"] > 0
        assert max(values.values_list("date", flat=True)) == min(pilot.end_date, yesterday)
        assert min(values.values_list("date", flat=True)) < pilot.start_date  # the pre-period
    assert not KpiValue.objects.filter(pilot=world["draft"]).exists()
    for key, status in (
        ("ended", PilotStatus.FINISHED),
        ("running", PilotStatus.RUNNING),
        ("draft", PilotStatus.DRAFT),
    ):
        world[key].refresh_from_db()
        assert world[key].status == status
    # The next day's run leaves the finished pilot alone.
    again = job_start(kind=PILOT_KPIS_KIND, params=PilotKpisParams(), actor=None)
    again.refresh_from_db()
    assert [line["pilot"] for line in again.result["pilots"]] == ["Running"]


@pytest.mark.django_db
def test_one_pilot_by_command_and_a_pilot_not_running_is_refused(world, capsys):
    call_command("pilot_kpis", pilot=world["running"].pk)
    out = capsys.readouterr().out
    assert "Running:" in out and "Ended" not in out
    assert KpiValue.objects.filter(pilot=world["running"]).exists()
    assert not KpiValue.objects.filter(pilot=world["ended"]).exists()
    job = job_start(
        kind=PILOT_KPIS_KIND, params=PilotKpisParams(pilot_id=world["draft"].pk), actor=None
    )
    job.refresh_from_db()
    assert job.status == "failed" and "not running" in job.error
    with pytest.raises(ValueError, match="pilot_id"):
        PilotKpisParams(pilot_id="7")
    with pytest.raises(PilotRefused, match="runs until"):
        pilot_finish(pilot=world["running"])


def test_the_daily_schedule_starts_a_pilot_kpi_job_for_every_running_pilot(db):
    task = PeriodicTask.objects.get(name="Pilots: daily KPIs")
    assert task.task == "jobs.start"
    assert (task.crontab.hour, task.crontab.minute) == ("5", "30")
    kwargs = json.loads(task.kwargs)
    params = job_kind_get(kwargs["kind"]).params.from_json(kwargs["params"])
    assert params == PilotKpisParams(pilot_id=None)
