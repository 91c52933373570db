"""Alerts store only figures the engine knew: NaN is no value on any database."""

import math

import pandas as pd
import pytest

from anomalies.engine.events import Event
from anomalies.models import Alert, AlertPolicy, ScanRun
from anomalies.services import alerts_upsert
from tests.factories import SKUFactory, StoreFactory


@pytest.mark.django_db
def test_figures_the_engine_could_not_tell_are_stored_as_unknown_not_nan():
    store, sku = StoreFactory(code="S1"), SKUFactory(code="COLA")
    day = pd.Timestamp("2026-03-02")
    event = Event(
        kind="late_delivery",
        metric="supply",
        start=day,
        end=day,
        detected_on=day,
        score=7.0,
        store_id=store.pk,
        sku_id=sku.pk,
        expected=float("nan"),
        actual=9.0,
        units_at_stake=float("nan"),
        value_at_stake=float("inf"),
        stockout_risk=float("nan"),
        summary="A delivery came late",
        severity=3,
    )
    scan = ScanRun.objects.create(mode="full", date_from=day.date(), date_to=day.date())
    new, _, _, _ = alerts_upsert(events=[event], scan=scan, policy=AlertPolicy.current())
    alert = Alert.objects.get()
    assert new == 1
    assert alert.expected is None and alert.stockout_risk is None and alert.actual == 9.0
    assert (alert.units_at_stake, alert.value_at_stake) == (0.0, 0.0)
    assert not math.isnan(alert.score)
