"""The database refuses a store in two overlapping active pilots."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from pilots.models import Group, Pilot, PilotStore
from tests.factories import StoreFactory


def _pilot(name, start, end):
    return Pilot.objects.create(name=name, start_date=start, end_date=end)


def _assign(pilot, store, **kwargs):
    return PilotStore.objects.create(
        pilot=pilot,
        store=store,
        group=Group.EXPERIMENTAL,
        start_date=pilot.start_date,
        end_date=pilot.end_date,
        **kwargs,
    )


@pytest.mark.django_db(transaction=True)
def test_overlapping_pilots_for_one_store_are_rejected_by_the_database():
    store, other = StoreFactory(code="S1"), StoreFactory(code="S2")
    spring = _pilot("Spring", dt.date(2026, 3, 1), dt.date(2026, 5, 31))
    summer = _pilot("Summer", dt.date(2026, 5, 31), dt.date(2026, 8, 31))
    autumn = _pilot("Autumn", dt.date(2026, 6, 1), dt.date(2026, 8, 31))
    _assign(spring, store)
    with pytest.raises(IntegrityError, match="pilot_store_no_overlap"), transaction.atomic():
        _assign(summer, store)  # shares 31 May
    _assign(summer, other)
    _assign(autumn, store)  # starts the day after spring ends
    assert PilotStore.objects.filter(store=store).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_cancelled_pilot_frees_its_stores_and_an_update_cannot_sneak_an_overlap():
    store = StoreFactory(code="S1")
    first = _pilot("First", dt.date(2026, 3, 1), dt.date(2026, 5, 31))
    second = _pilot("Second", dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    row = _assign(first, store)
    later = _assign(second, store, active=False)
    with pytest.raises(IntegrityError, match="pilot_store_no_overlap"), transaction.atomic():
        PilotStore.objects.filter(pk=later.pk).update(active=True)
    PilotStore.objects.filter(pk=row.pk).update(active=False)
    PilotStore.objects.filter(pk=later.pk).update(active=True)
    assert PilotStore.objects.get(pk=later.pk).active
