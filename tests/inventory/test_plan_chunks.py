"""A policies-only plan runs in chunks of whole SKUs that any free worker takes: the chunks
give exactly the policies of one pass, a failed chunk fails the job with its reason, and on
real Celery workers the job's own task and its helpers share the chunks, with progress."""

import datetime as dt
import os
import uuid

import pytest

from accounts.models import Role
from accounts.scoping import Scope
from history.models import InventorySnapshot, SupplyOrder
from inventory import services
from inventory.job_params import InventoryPlanParams
from inventory.models import InventoryPlanChunk, InventoryPlanRun, InventoryPolicy
from inventory.services import PLAN_KIND, inventory_plan_job_start, plan_sku_chunks
from jobs.models import JobStatus
from jobs.services import job_start
from tests.factories import SKUFactory, UserFactory, WarehouseFactory
from tests.forecasting.factories import ORIGIN, ForecastFactory, ForecastRunFactory
from tests.jobs.test_celery_worker import (
    STARTUP_TIMEOUT_S,
    _default_queue,
    _tail,
    _wait_for,
    _worker,
    _worker_env,
)

# Two worker processes start at once: on a busy 2-core host that takes minutes.
FINISH_TIMEOUT_S = 420
COMPARED = ("safety_stock", "reorder_point", "order_up_to", "demand_per_day", "lead_time_days")


@pytest.fixture
def three_skus(scoped_world):
    """Three SKUs at both stores with four weeks of daily forecasts (one SKU's level
    different), stock, and a warehouse serving both stores that holds the third SKU."""
    world = scoped_world
    warehouse = WarehouseFactory(code="WH1")
    for store in (world["store_in"], world["store_out"]):
        store.warehouse = warehouse
        store.save()
    world["sku_more"] = SKUFactory(code="WATER", category=world["drinks"])
    run = ForecastRunFactory(origin=ORIGIN)
    for level, sku in (
        (10.0, world["sku_in"]),
        (10.0, world["sku_out"]),
        (30.0, world["sku_more"]),
    ):
        for store in (world["store_in"], world["store_out"]):
            for day in range(1, 29):
                ForecastFactory(
                    run=run,
                    store=store,
                    sku=sku,
                    origin=ORIGIN,
                    date=ORIGIN + dt.timedelta(days=day),
                    forecast=level,
                    p10=level * 0.6,
                    p50=level,
                    p90=level * 1.4,
                )
            InventorySnapshot.objects.create(store=store, sku=sku, date=ORIGIN, on_hand=25)
    InventorySnapshot.objects.create(
        warehouse=warehouse, sku=world["sku_more"], date=ORIGIN, on_hand=400
    )
    SupplyOrder.objects.create(
        order_ref="PO-1",
        warehouse=warehouse,
        sku=world["sku_more"],
        ordered_on=ORIGIN - dt.timedelta(days=20),
        promised_on=ORIGIN - dt.timedelta(days=13),
        received_on=ORIGIN - dt.timedelta(days=12),
        quantity_ordered=100,
        quantity_received=100,
    )
    return world


def _policies() -> dict:
    return {
        (p["store_id"], p["warehouse_id"], p["sku_id"]): tuple(p[c] for c in COMPARED)
        for p in InventoryPolicy.objects.values("store_id", "warehouse_id", "sku_id", *COMPARED)
    }


def test_sku_chunks_hold_whole_skus_up_to_the_size():
    assert plan_sku_chunks({3: 2, 1: 2, 2: 2}, 4) == [[1, 2], [3]]
    assert plan_sku_chunks({1: 9, 2: 1}, 4) == [[1], [2]]  # a big SKU alone
    assert plan_sku_chunks({}, 4) == []


def test_chunks_give_the_policies_of_one_pass(three_skus, admin_user):
    one = inventory_plan_job_start(actor=admin_user, scope=Scope.system(), solve_plan=False)
    one.refresh_from_db()
    assert one.status == "succeeded", one.error
    whole = _policies()
    assert InventoryPlanRun.objects.get(job=one).chunks.count() == 1

    split = inventory_plan_job_start(
        actor=admin_user, scope=Scope.system(), solve_plan=False, chunk_series=2
    )
    split.refresh_from_db()
    assert split.status == "succeeded", split.error
    run = InventoryPlanRun.objects.get(job=split)
    chunks = list(run.chunks.order_by("index"))
    assert [len(c.sku_ids) for c in chunks] == [1, 1, 1]
    assert all(c.status == InventoryPlanChunk.Status.DONE for c in chunks)
    assert sum(c.series_count for c in chunks) == split.result["policies"] == 7
    assert run.summary["series"] == 7
    # The warehouse's series sums both stores' forecasts of its SKU, as in one pass.
    more = three_skus["sku_more"]
    warehouse = InventoryPolicy.objects.get(warehouse__isnull=False, sku=more)
    assert warehouse.demand_per_day == pytest.approx(60.0)
    assert _policies() == whole
    assert split.message == "Policies ready" and split.progress == 100


def test_a_failed_chunk_fails_the_job_with_its_reason(three_skus, admin_user, monkeypatch):
    more = three_skus["sku_more"].pk
    compute = services.policies_for_series

    def failing(inputs, settings):
        if more in set(inputs.series["sku_id"]):
            raise ValueError("no policy for WATER")
        return compute(inputs, settings)

    monkeypatch.setattr(services, "policies_for_series", failing)
    job = inventory_plan_job_start(
        actor=admin_user, scope=Scope.system(), solve_plan=False, chunk_series=2
    )
    job.refresh_from_db()
    failed = InventoryPlanChunk.objects.get(status=InventoryPlanChunk.Status.FAILED)
    assert failed.sku_ids == [more]
    assert failed.error == "ValueError: no policy for WATER"
    assert job.status == "failed"
    # The job's own task ran the chunk and failed with it (a helper's failure is reported
    # as "Chunk N failed: ..." by the job's task).
    assert "ValueError: no policy for WATER" in job.error


def test_no_daily_forecast_in_scope_fails_the_run(scoped_world, admin_user):
    ForecastRunFactory(origin=ORIGIN)
    job = inventory_plan_job_start(actor=admin_user, scope=Scope.system(), solve_plan=False)
    job.refresh_from_db()
    assert job.status == "failed"
    assert "daily forecast" in job.error


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_workers_share_the_chunks_of_a_plan(three_skus, settings, tmp_path):
    """Two real worker processes: the job's task starts helpers, every chunk is done once
    by a worker process (not the test's), and the job reports progress to 100."""
    env = _worker_env(settings)
    settings.FORECAST_FANOUT = 2
    queue = f"test-inventory-{uuid.uuid4().hex[:12]}"
    admin = UserFactory(username="plan-admin", role=Role.ADMIN)
    params = InventoryPlanParams(company_wide=True, solve_plan=False, chunk_series=2)
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    with (
        _default_queue(queue),
        _worker(queue, env, logs[0]) as first,
        _worker(f"{queue}", env, logs[1]),
    ):
        job = job_start(kind=PLAN_KIND, params=params, actor=admin)
        done = _wait_for(
            job.pk,
            lambda j: j.is_finished,
            timeout=STARTUP_TIMEOUT_S + FINISH_TIMEOUT_S,
            process=first,
            log_path=logs[0],
        )
    assert done.status == JobStatus.SUCCEEDED, f"{done.error}\n{_tail(logs[0])}\n{_tail(logs[1])}"
    assert done.progress == 100 and done.result["policies"] == 7
    run = InventoryPlanRun.objects.get(job=done)
    chunks = list(run.chunks.all())
    assert len(chunks) == 3
    assert all(c.status == InventoryPlanChunk.Status.DONE for c in chunks)
    # Every chunk was done in a worker process, none in the test's.
    assert all(c.worker and c.worker.split(":")[-1] != str(os.getpid()) for c in chunks)
    assert InventoryPolicy.objects.filter(run=run).count() == 7
    assert done.message == "Policies ready"
