"""Pinning a model for a series or a category: scope, validation, replacement and audit."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.scoping import Scope
from audit.context import audit_context
from audit.models import AuditEntry
from forecasting.models import ModelPin
from forecasting.pins import model_pin_clear, model_pin_set
from tests.forecasting.factories import (
    LeaderboardEntryFactory,
    ModelPinFactory,
    SeriesModelFactory,
)


def _pin_data(**overrides) -> dict:
    return {"granularity": "D", "store": "N1", "sku": "COLA", "model": "naive", **overrides}


def test_planner_pins_a_series_and_it_is_audited(client, scoped_world):
    planner = scoped_world["scoped_planner"]
    client.force_login(planner)
    response = client.post(reverse("forecasting:pin_set"), _pin_data(target="series"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("forecasting:explorer"))
    assert "store=N1" in response["Location"] and "sku=COLA" in response["Location"]
    pin = ModelPin.objects.get()
    assert (pin.store.code, pin.sku.code, pin.model) == ("N1", "COLA", "naive")
    assert pin.created_by == planner
    entry = AuditEntry.objects.get(object_type="model_pin")
    assert entry.action == "create" and entry.username == "scoped"
    assert entry.before is None and entry.after["model"] == "naive"
    follow = client.get(response["Location"])
    assert "applies from the next forecast run" in follow.content.decode()


def test_pinning_again_replaces_the_pin_and_records_before_and_after(scoped_world, admin_user):
    store, sku = scoped_world["store_in"], scoped_world["sku_in"]
    LeaderboardEntryFactory(store=store, sku=sku, model="ets")
    everything = Scope.for_user(admin_user)
    with audit_context(actor=admin_user):
        model_pin_set(
            actor=admin_user, scope=everything, granularity="D", model="naive", store=store, sku=sku
        )
        model_pin_set(
            actor=admin_user, scope=everything, granularity="D", model="ets", store=store, sku=sku
        )
    assert list(ModelPin.objects.values_list("model", flat=True)) == ["ets"]
    update = AuditEntry.objects.filter(object_type="model_pin").order_by("id").last()
    assert update.action == "update"
    assert (update.before["model"], update.after["model"]) == ("naive", "ets")


def test_planner_cannot_pin_a_series_outside_scope(client, scoped_world):
    client.force_login(scoped_world["scoped_planner"])
    response = client.post(reverse("forecasting:pin_set"), _pin_data(store="S1"))
    assert response.status_code == 404
    assert not ModelPin.objects.exists()


def test_the_service_rechecks_scope(scoped_world):
    with pytest.raises(PermissionDenied):
        model_pin_set(
            actor=scoped_world["scoped_planner"],
            scope=Scope.for_user(scoped_world["scoped_planner"]),
            granularity="D",
            model="naive",
            store=scoped_world["store_out"],
            sku=scoped_world["sku_in"],
        )


def test_unknown_model_is_refused_with_a_message(client, planner, scoped_world):
    client.force_login(planner)
    response = client.post(
        reverse("forecasting:pin_set"), _pin_data(model="crystal_ball"), follow=True
    )
    assert not ModelPin.objects.exists()
    assert "crystal_ball is not one of the available choices" in response.content.decode()


def test_admin_pins_a_whole_category(client, admin_user, scoped_world):
    client.force_login(admin_user)
    client.post(reverse("forecasting:pin_set"), _pin_data(target="category"))
    pin = ModelPin.objects.get()
    assert (pin.category, pin.store, pin.sku) == (scoped_world["drinks"], None, None)


def test_region_scoped_planner_cannot_pin_a_category(client, scoped_world):
    # A category pin would change the forecasts of stores in other regions.
    client.force_login(scoped_world["scoped_planner"])
    response = client.post(
        reverse("forecasting:pin_set"), _pin_data(target="category"), follow=True
    )
    assert not ModelPin.objects.exists()
    assert "pin the series instead" in response.content.decode()


def test_clear_removes_the_pin_and_is_audited(client, scoped_world):
    pin = ModelPinFactory(store=scoped_world["store_in"], sku=scoped_world["sku_in"])
    client.force_login(scoped_world["scoped_planner"])
    response = client.post(
        reverse("forecasting:pin_clear", kwargs={"pk": pin.pk}),
        {"next": "/forecasts/?store=N1&sku=COLA"},
    )
    assert response["Location"] == "/forecasts/?store=N1&sku=COLA"
    assert not ModelPin.objects.exists()
    entry = AuditEntry.objects.get(object_type="model_pin")
    assert entry.action == "delete" and entry.before["model"] == "seasonal_naive"


def test_clear_ignores_a_next_url_off_the_explorer(client, admin_user, scoped_world):
    pin = ModelPinFactory(store=scoped_world["store_in"], sku=scoped_world["sku_in"])
    client.force_login(admin_user)
    response = client.post(
        reverse("forecasting:pin_clear", kwargs={"pk": pin.pk}), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("forecasting:explorer")


def test_planner_cannot_clear_a_pin_outside_scope(client, scoped_world):
    pin = ModelPinFactory(store=scoped_world["store_out"], sku=scoped_world["sku_out"])
    client.force_login(scoped_world["scoped_planner"])
    assert client.post(reverse("forecasting:pin_clear", kwargs={"pk": pin.pk})).status_code == 404
    with pytest.raises(PermissionDenied):
        model_pin_clear(scope=Scope.for_user(scoped_world["scoped_planner"]), pin=pin)
    assert ModelPin.objects.exists()


def test_explorer_shows_the_pin_and_what_it_costs(client, admin_user, scoped_world):
    store, sku = scoped_world["store_in"], scoped_world["sku_in"]
    SeriesModelFactory(store=store, sku=sku, model="ets")
    LeaderboardEntryFactory(store=store, sku=sku, model="ets", rmsse=0.6, wape=0.2)
    LeaderboardEntryFactory(store=store, sku=sku, model="naive", rmsse=0.85, wape=0.45)
    ModelPinFactory(store=store, sku=sku, model="naive")
    client.force_login(admin_user)
    response = client.get(reverse("forecasting:explorer"), {"store": "N1", "sku": "COLA"})
    explanation = response.context["explanation"]
    assert explanation["active_pin"].model == "naive"
    # Against the current selection (ETS), not against the best candidate.
    assert explanation["pin_cost"] == pytest.approx(0.25)
    assert "backtest WAPE +25.0 pts against the current selection" in response.content.decode()
