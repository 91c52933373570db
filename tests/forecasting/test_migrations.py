"""The blend migration turns "combo:a+b" with "1+3" weights into JSON and back."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import SKUFactory, StoreFactory
from tests.forecasting.factories import ForecastRunFactory

BEFORE = [("forecasting", "0003_series_model_weights")]
AFTER = [("forecasting", "0005_series_model_blend")]


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_blend_migration_converts_rows_both_ways():
    store, run = StoreFactory(), ForecastRunFactory()
    skus = [SKUFactory() for _ in range(3)]
    rows = [("combo:ets+lightgbm", "3+1"), ("naive", "1"), ("combo:ets+tsb", "")]
    try:
        old = _migrate(BEFORE).get_model("forecasting", "SeriesModel")
        for sku, (model, weights) in zip(skus, rows, strict=True):
            old.objects.create(
                store_id=store.pk, sku_id=sku.pk, granularity="D", model=model,
                weights=weights, run_id=run.pk,
            )  # fmt: skip
        new = _migrate(AFTER).get_model("forecasting", "SeriesModel")
        blends = dict(new.objects.values_list("model", "blend"))
        assert blends == {
            "combo:ets+lightgbm": {"models": ["ets", "lightgbm"], "weights": [3, 1]},
            "naive": {"models": ["naive"], "weights": [1]},
            "combo:ets+tsb": {"models": ["ets", "tsb"], "weights": [1, 1]},
        }
        old = _migrate(BEFORE).get_model("forecasting", "SeriesModel")
        weights = dict(old.objects.values_list("model", "weights"))
        assert weights == {"combo:ets+lightgbm": "3+1", "naive": "1", "combo:ets+tsb": "1+1"}
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
