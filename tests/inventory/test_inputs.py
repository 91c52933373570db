"""Policy inputs loaded in bulk: forecast paths and spread, lead times from receipts (with
fallbacks said), last stock, SKU terms; and the simulate_inventory command on top."""

import datetime as dt
import json

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from accounts.scoping import Scope
from forecasting.models import Forecast, ForecastRun, Granularity
from history.models import InventorySnapshot, SupplyOrder
from inventory.inputs import P10_P90_WIDTH_IN_SD, PolicyInputsError, policy_inputs_load
from tests.factories import (
    RegionFactory,
    SalesFactFactory,
    SKUFactory,
    StoreFactory,
    WarehouseFactory,
)

ORIGIN = dt.date(2025, 3, 2)


@pytest.fixture
def world(db):
    region = RegionFactory(code="NORTH")
    stores = [StoreFactory(code=f"S{i}", region=region) for i in range(2)]
    fast = SKUFactory(
        code="FAST",
        lead_time_days=9,
        min_order_qty=6,
        case_pack=6,
        shelf_life_days=10,
        unit_cost=2,
        unit_price=3,
    )
    slow = SKUFactory(code="SLOW", lead_time_days=4, unit_cost=None, unit_price=5)
    run = ForecastRun.objects.create(
        granularity=Granularity.DAILY,
        horizon=28,
        windows=1,
        origin=ORIGIN,
        chunks_total=1,
        chunks_done=1,
    )
    rows = []
    for store in stores:
        for sku, level in ((fast, 20.0), (slow, 0.5)):
            for day in range(1, 29):
                mean = level * (2.0 if day > 14 else 1.0)
                rows.append(
                    Forecast(
                        store=store,
                        sku=sku,
                        granularity=Granularity.DAILY,
                        origin=ORIGIN,
                        date=ORIGIN + dt.timedelta(days=day),
                        forecast=mean,
                        p10=max(mean - 5.0, 0.0),
                        p50=mean,
                        p90=mean + 5.0,
                        model="ets",
                        run=run,
                    )
                )
    Forecast.objects.bulk_create(rows)
    orders = []
    for i, lead in enumerate([5, 6, 7, 6, 6]):
        ordered = ORIGIN - dt.timedelta(days=60 - 7 * i)
        orders.append(
            SupplyOrder(
                order_ref=f"PO{i}",
                store=stores[0],
                sku=fast,
                ordered_on=ordered,
                promised_on=ordered + dt.timedelta(days=6),
                received_on=ordered + dt.timedelta(days=lead),
                quantity_ordered=60,
            )
        )
    SupplyOrder.objects.bulk_create(orders)
    InventorySnapshot.objects.create(
        store=stores[0], sku=fast, date=ORIGIN - dt.timedelta(days=3), on_hand=15, on_order=30
    )
    InventorySnapshot.objects.create(
        store=stores[0], sku=fast, date=ORIGIN, on_hand=40, on_order=12
    )
    for day in range(7):
        SalesFactFactory(
            store=stores[0], sku=fast, date=ORIGIN - dt.timedelta(days=day), quantity=14.0
        )
    return {"stores": stores, "fast": fast, "slow": slow}


def row(inputs, store, sku):
    series = inputs.series
    return series[(series.store_id == store.id) & (series.sku_id == sku.id)].iloc[0]


def test_forecast_paths_and_spread(world):
    inputs = policy_inputs_load(scope=Scope.system(), horizon_days=28)
    assert len(inputs.series) == 4
    assert inputs.as_of == ORIGIN
    assert inputs.forecast_mean.shape == (4, 28)
    fast = row(inputs, world["stores"][0], world["fast"])
    assert fast.demand_per_day == pytest.approx(30.0)
    assert fast.demand_sd_per_day == pytest.approx(10.0 / P10_P90_WIDTH_IN_SD)
    assert fast.error_source == "quantiles"
    path = inputs.forecast_mean.iloc[fast.name].to_numpy()
    assert path[0] == 20.0 and path[-1] == 40.0
    slow = row(inputs, world["stores"][0], world["slow"])
    # A 10-unit band around half a unit a day is capped at a plausible count spread.
    assert slow.demand_sd_per_day < 10.0 / P10_P90_WIDTH_IN_SD


def test_lead_times_from_receipts_with_fallbacks(world):
    inputs = policy_inputs_load(scope=Scope.system())
    own = row(inputs, world["stores"][0], world["fast"])
    assert own.lead_time_source == "receipts"
    assert own.lead_time_days == pytest.approx(6.0)
    assert own.lead_time_sd_days == pytest.approx(np.std([5, 6, 7, 6, 6], ddof=1))
    pooled = row(inputs, world["stores"][1], world["fast"])
    assert pooled.lead_time_source == "sku_receipts"
    assert pooled.lead_time_days == pytest.approx(6.0)
    nominal = row(inputs, world["stores"][0], world["slow"])
    assert nominal.lead_time_source == "nominal"
    assert (nominal.lead_time_days, nominal.lead_time_sd_days) == (4.0, 0.0)
    samples = inputs.lead_time_samples
    assert sorted(samples[samples.series == own.name].lead_time_days) == [5, 6, 6, 6, 7]


def test_stock_terms_and_history(world):
    inputs = policy_inputs_load(scope=Scope.system())
    fast = row(inputs, world["stores"][0], world["fast"])
    assert (fast.on_hand, fast.on_order) == (40.0, 12.0)
    assert (fast.moq, fast.case_pack, fast.shelf_life_days) == (6, 6, 10.0)
    assert fast.history_mean_per_day == pytest.approx(14.0 * 7 / 56)
    slow = row(inputs, world["stores"][0], world["slow"])
    assert slow.on_hand == 0.0
    assert slow.unit_cost == pytest.approx(3.0)  # no cost recorded: 60 % of the price
    assert np.isnan(slow.shelf_life_days)


def test_scope_narrows_the_series(world):
    slow_only = policy_inputs_load(scope=Scope.of(category_ids={world["slow"].category_id}))
    assert set(slow_only.series.sku_code) == {"SLOW"}
    assert len(slow_only.series) == 2
    other = RegionFactory(code="SOUTH")
    with pytest.raises(PolicyInputsError, match="in scope"):
        policy_inputs_load(scope=Scope.of(region_ids={other.id}))


def test_no_forecast_is_a_clear_error(db):
    with pytest.raises(PolicyInputsError, match="No daily forecast"):
        policy_inputs_load(scope=Scope.system())


def test_simulate_inventory_json(world):
    out = _call("--target-csl", "0.95", "--paths", "20", "--days", "14", "--json")
    data = json.loads(out)
    for policy in ("product", "baseline"):
        for measure in (
            "cycle_service_level",
            "fill_rate",
            "average_stock",
            "excess_stock",
            "total_cost",
        ):
            cell = data[policy][measure]
            assert cell["low"] <= cell["mean"] <= cell["high"]
    assert data["target_kind"] == "csl"
    assert data["change"]["excess_stock"]["seed_target"] == -0.10
    assert data["series"] == 4


def test_simulate_inventory_table_with_a_fill_rate(world):
    out = _call("--target-fill-rate", "0.98", "--paths", "10", "--days", "7")
    assert "Target: fill rate 98.0 %" in out
    assert "Excess stock" in out and "Seed target" in out


def test_simulate_inventory_refuses_bad_input(world):
    with pytest.raises(CommandError, match="share"):
        _call("--target-csl", "95")
    with pytest.raises(CommandError, match="load_demo"):
        _call("--dataset", "demo")


def _call(*args) -> str:
    from io import StringIO

    buffer = StringIO()
    call_command("simulate_inventory", *args, stdout=buffer)
    return buffer.getvalue()


def test_warehouse_series_sum_the_stores_they_serve(world):
    warehouse = WarehouseFactory(code="WH1", region=world["stores"][0].region)
    for store in world["stores"]:
        store.warehouse = warehouse
        store.save()
    InventorySnapshot.objects.create(
        warehouse=warehouse, sku=world["fast"], date=ORIGIN, on_hand=500, on_order=0
    )
    inputs = policy_inputs_load(scope=Scope.system())
    series = inputs.series
    assert len(series) == 5
    at_warehouse = series[series.location_kind == "warehouse"].iloc[0]
    assert at_warehouse.warehouse_code == "WH1" and at_warehouse.sku_code == "FAST"
    assert at_warehouse.demand_per_day == pytest.approx(60.0)
    assert at_warehouse.demand_sd_per_day == pytest.approx(np.sqrt(2) * 10.0 / P10_P90_WIDTH_IN_SD)
    assert at_warehouse.on_hand == 500
    assert at_warehouse.lead_time_source == "nominal"
    assert inputs.history.iloc[at_warehouse.name].sum() == pytest.approx(14.0 * 7)


def test_without_receipts_or_stock_the_nominal_terms_apply(world):
    SupplyOrder.objects.all().delete()
    InventorySnapshot.objects.all().delete()
    inputs = policy_inputs_load(scope=Scope.system(), horizon_days=7)
    assert set(inputs.series.lead_time_source) == {"nominal"}
    assert sorted(inputs.series.lead_time_days.unique()) == [4.0, 9.0]
    assert (inputs.series.on_hand == 0).all()
    assert len(inputs.lead_time_samples) == 4
