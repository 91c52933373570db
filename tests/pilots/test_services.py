"""Designing and running a pilot: admins only, seeds reproduce, groups lock, the database's
one-pilot-per-store rule comes back in words, and the scorecard reads the stored KPIs."""

import datetime as dt

import numpy as np
import pytest

from accounts.models import Role
from history.models import InventorySnapshot, SalesFact
from pilots.analysis import pilot_analysis
from pilots.models import Design, KpiValue, PilotStatus, PilotStore
from pilots.services import (
    PilotRefused,
    pilot_assign,
    pilot_cancel,
    pilot_create,
    pilot_design_check,
    pilot_kpis_compute,
    pilot_start,
)
from tests.factories import RegionFactory, SKUFactory, StoreFactory, UserFactory

START = dt.date(2026, 3, 2)


@pytest.fixture
def stores(db):
    north, south = RegionFactory(code="NORTH"), RegionFactory(code="SOUTH")
    return [StoreFactory(code=f"S{i:02d}", region=north if i < 6 else south) for i in range(12)]


@pytest.fixture
def admin(db):
    return UserFactory(username="admin", role=Role.ADMIN)


def _ids(stores):
    return [s.pk for s in stores]


@pytest.mark.django_db
def test_a_stratified_assignment_is_balanced_per_region_and_reproducible(stores, admin):
    pilot = pilot_create(name="Spring", start_date=START, actor=admin)
    assert pilot.end_date == START + dt.timedelta(days=91)
    assert set(pilot.kpis.values_list("kpi", flat=True)) == {
        "mape",
        "cycle_service_level",
        "excess_stock",
        "alerts_confirmed",
        "cost",
    }
    pilot_assign(pilot=pilot, store_ids=_ids(stores), design=Design.STRATIFIED, actor=admin, seed=9)
    first = dict(PilotStore.objects.filter(pilot=pilot).values_list("store_id", "group"))
    for region in ("NORTH", "SOUTH"):
        assert (
            sum(
                g
                for s, g in first.items()
                if s in {x.pk for x in stores if x.region.code == region}
            )
            == 3
        )
    pilot_assign(pilot=pilot, store_ids=_ids(stores), design=Design.STRATIFIED, actor=admin, seed=9)
    assert dict(PilotStore.objects.filter(pilot=pilot).values_list("store_id", "group")) == first
    pilot.refresh_from_db()
    assert (pilot.seed, pilot.strata) == (9, ["region"])


@pytest.mark.django_db
def test_only_admins_assign_and_a_started_pilot_is_locked(stores, admin):
    planner = UserFactory(username="planner", role=Role.PLANNER)
    with pytest.raises(PilotRefused, match="Only admins"):
        pilot_create(name="Mine", start_date=START, actor=planner)
    pilot = pilot_create(name="Spring", start_date=START, actor=admin)
    with pytest.raises(PilotRefused, match="Only admins"):
        pilot_assign(pilot=pilot, store_ids=_ids(stores), design=Design.RANDOM, actor=planner)
    with pytest.raises(PilotRefused, match="at least two stores"):
        pilot_start(pilot=pilot, actor=admin)
    pilot_assign(pilot=pilot, store_ids=_ids(stores), design=Design.RANDOM, actor=admin)
    pilot_start(pilot=pilot, actor=admin)
    with pytest.raises(PilotRefused, match="locked"):
        pilot_assign(pilot=pilot, store_ids=_ids(stores), design=Design.RANDOM, actor=admin)


@pytest.mark.django_db(transaction=True)
def test_a_store_in_another_pilot_is_named_and_cancelling_frees_it(stores, admin):
    spring = pilot_create(name="Spring", start_date=START, actor=admin)
    pilot_assign(pilot=spring, store_ids=_ids(stores[:6]), design=Design.RANDOM, actor=admin)
    summer = pilot_create(name="Summer", start_date=START + dt.timedelta(days=30), actor=admin)
    with pytest.raises(PilotRefused, match="S00, S01, S02, S03, S04, S05 are in another pilot"):
        pilot_assign(pilot=summer, store_ids=_ids(stores), design=Design.RANDOM, actor=admin)
    assert not PilotStore.objects.filter(pilot=summer).exists()
    pilot_cancel(pilot=spring, actor=admin, reason="Budget moved")
    pilot_assign(pilot=summer, store_ids=_ids(stores), design=Design.RANDOM, actor=admin)
    assert PilotStore.objects.filter(pilot=summer).count() == 12
    spring.refresh_from_db()
    assert spring.status == PilotStatus.CANCELLED


@pytest.mark.django_db
def test_the_scorecard_finds_a_pilot_that_cut_excess_stock(stores, admin):
    """Experimental stores hold 40 % less stock from the start: excess stock falls, forecast
    error does not move, and the verdict says which threshold was met."""
    sku = SKUFactory(code="COLA", unit_cost=2.0)
    pilot = pilot_create(
        name="Spring", start_date=START, end_date=START + dt.timedelta(days=27), actor=admin
    )
    pilot.pre_period_weeks = 4
    pilot.save()
    pilot_assign(pilot=pilot, store_ids=_ids(stores), design=Design.STRATIFIED, actor=admin, seed=1)
    experimental = set(
        PilotStore.objects.filter(pilot=pilot, group=1).values_list("store_id", flat=True)
    )
    rng = np.random.default_rng(0)
    days = [START - dt.timedelta(days=28) + dt.timedelta(days=k) for k in range(56)]
    sales, stock = [], []
    for store in stores:
        level = rng.uniform(5, 15)
        for day in days:
            sold = float(rng.poisson(level))
            sales.append(SalesFact(store=store, sku=sku, date=day, quantity=sold))
            held = level * 40 * (0.6 if store.pk in experimental and day >= START else 1.0)
            stock.append(InventorySnapshot(store=store, sku=sku, date=day, on_hand=held))
    SalesFact.objects.bulk_create(sales)
    InventorySnapshot.objects.bulk_create(stock)
    pilot_start(pilot=pilot, actor=admin)
    written = pilot_kpis_compute(pilot=pilot, until=days[-1])
    assert written == KpiValue.objects.filter(pilot=pilot).count() > 0
    check = pilot_design_check(pilot=pilot)
    assert set(check.balance["kpi"]) >= {"mape", "excess_stock"}
    analysis = pilot_analysis(pilot=pilot, as_of=days[-1])
    scorecard = {r.kpi: r for r in analysis.results}
    excess = scorecard["excess_stock"]
    assert excess.effect.relative < -0.1 and excess.p_holm < 0.05 and excess.passes
    assert not scorecard["mape"].passes
    assert not analysis.peeking
    # Less stock also costs less to hold: the cost threshold is met too.
    assert scorecard["cost"].passes
    assert "Met its threshold with significance: Inventory and logistics cost, Excess stock" in (
        analysis.verdict
    )
    interim = pilot_analysis(pilot=pilot, as_of=START + dt.timedelta(days=10))
    assert interim.peeking and "interim" in interim.verdict
