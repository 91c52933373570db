"""Scans through the database: bulk upsert by fingerprint, the incremental watermark after
an import, and the job kind."""

import datetime as dt

import pandas as pd
import pytest
from django.db import transaction

from anomalies.job_params import AnomalyScanParams
from anomalies.models import Alert, AlertPolicy, AlertStatus, DismissReason, ScanMode, ScanRun
from anomalies.services import ANOMALY_SCAN_KIND, anomaly_scan_run
from history.models import SalesFact
from history.signals import facts_changed
from jobs.services import job_start
from tests.anomalies.synthetic import synthetic_inputs
from tests.factories import CategoryFactory, RegionFactory, SKUFactory, StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    """The synthetic company's sales as rows (ids mapped to real stores and SKUs), with
    one ×10 keying error; the last day is held back to be imported later."""
    inputs = synthetic_inputs(inject=[("x10", 1, 10, 100)])
    region, category = RegionFactory(), CategoryFactory()
    stores = {s: StoreFactory(region=region) for s in inputs.stores["store_id"]}
    skus = {k: SKUFactory(category=category) for k in inputs.skus["sku_id"]}
    sales = inputs.sales
    last = sales["date"].max()
    rows = [
        SalesFact(
            store=stores[r.store_id],
            sku=skus[r.sku_id],
            date=r.date.date(),
            quantity=r.quantity,
            price=r.price,
            revenue=r.quantity * r.price,
        )
        for r in sales.itertuples()
    ]
    SalesFact.objects.bulk_create([r for r in rows if r.date < last.date()])
    return {"stores": stores, "skus": skus, "held": [r for r in rows if r.date == last.date()]}


def test_rescan_updates_alerts_and_keeps_verdicts(company):
    first = anomaly_scan_run(mode=ScanMode.FULL)
    keying = Alert.objects.get(kind="entry_error")
    assert keying.suggested_cause == "keying error: ×10"
    assert first.alerts_new == Alert.objects.count()
    Alert.objects.filter(pk=keying.pk).update(
        status=AlertStatus.DISMISSED, dismiss_reason=DismissReason.DATA_CORRECTED
    )
    second = anomaly_scan_run(mode=ScanMode.FULL)
    assert second.alerts_new == 0
    assert second.alerts_updated == first.alerts_new
    keying.refresh_from_db()
    assert keying.status == AlertStatus.DISMISSED
    assert keying.scan_id == second.pk


def test_policy_suppresses_and_counts(company):
    AlertPolicy.objects.create(min_severity=4, store_daily_budget=5)
    scan = anomaly_scan_run(mode=ScanMode.FULL)
    assert scan.alerts_suppressed == Alert.objects.filter(suppressed=True).count() > 0
    assert not Alert.objects.in_inbox().filter(severity__lt=4).exists()


def test_import_of_one_day_scans_only_that_day(company, django_capture_on_commit_callbacks):
    job_start(kind=ANOMALY_SCAN_KIND, params=AnomalyScanParams(mode=ScanMode.FULL), actor=None)
    watermark = ScanRun.objects.get().date_to
    held = company["held"]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        SalesFact.objects.bulk_create(held)
        facts_changed.send(sender=SalesFact, written={"sales": len(held)}, store_ids=None)
    latest = ScanRun.objects.order_by("-pk").first()
    assert latest.mode == ScanMode.INCREMENTAL
    new_day = watermark + dt.timedelta(days=1)
    assert latest.date_from == latest.date_to == new_day
    # Every series reported the new day: one scored period each.
    assert latest.periods_scanned == len(held) == 24
    assert latest.series_scanned == 24


def test_nothing_new_scans_nothing(company):
    anomaly_scan_run(mode=ScanMode.FULL)
    assert anomaly_scan_run(mode=ScanMode.INCREMENTAL) is None
    assert ScanRun.objects.count() == 1


def test_params_refuse_bad_input():
    with pytest.raises(ValueError, match="mode"):
        AnomalyScanParams(mode="weekly")
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        AnomalyScanParams(mode="full", date_from="yesterday")
    with pytest.raises(ValueError, match="after"):
        AnomalyScanParams(mode="full", date_from="2025-02-01", date_to="2025-01-01")


def test_date_range_scan(company):
    start = pd.Timestamp("2025-04-01").date()
    scan = anomaly_scan_run(mode=ScanMode.FULL, date_from=start, date_to=start)
    assert (scan.date_from, scan.date_to, scan.periods_scanned) == (start, start, 24)


def test_rescan_withdraws_untouched_alerts_it_no_longer_raises(company):
    anomaly_scan_run(mode=ScanMode.FULL)
    keying = Alert.objects.get(kind="entry_error")
    ghost = Alert.objects.create(
        kind="demand_spike",
        metric="sales",
        store=keying.store,
        sku=keying.sku,
        start_date=keying.start_date,
        end_date=keying.start_date,
        fingerprint="ghost",
        score=6,
        severity=3,
        summary="no longer raised",
    )
    worked = Alert.objects.create(
        kind="demand_drop",
        metric="sales",
        store=keying.store,
        sku=keying.sku,
        start_date=keying.start_date,
        end_date=keying.start_date,
        fingerprint="worked",
        score=6,
        severity=3,
        summary="confirmed",
        status=AlertStatus.CONFIRMED,
    )
    scan = anomaly_scan_run(mode=ScanMode.FULL)
    assert not Alert.objects.filter(pk=ghost.pk).exists()
    assert Alert.objects.filter(pk=worked.pk).exists()
    assert scan.summary["retracted"] == 1
