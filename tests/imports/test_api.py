"""The batch import API: same validation, all-or-nothing, scope checks for planners."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from history.models import InventorySnapshot, SalesFact, SupplyOrder

pytestmark = pytest.mark.django_db


def api_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_valid_batch_is_written_and_answers_201(scoped_world, admin_user):
    rows = [
        {"date": "2024-01-01", "store": "N1", "sku": "COLA", "quantity": 3, "price": 1.5},
        {"date": "2024-01-02", "store": "S1", "sku": "CHIPS", "quantity": 0},
    ]
    response = api_client(admin_user).post(reverse("import-sales-list"), rows, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["rows_written"] == 2
    assert SalesFact.objects.count() == 2
    again = api_client(admin_user).post(reverse("import-sales-list"), rows, format="json")
    assert again.status_code == 201 and again.json()["rows_written"] == 0


def test_invalid_batch_reports_every_row_and_writes_nothing(scoped_world, admin_user):
    rows = [
        {"date": "2024-01-01", "store": "N1", "sku": "COLA", "quantity": 3},
        {"date": "2024-02-30", "store": "N1", "sku": "COLA", "quantity": 3},
        {"date": "2024-01-03", "store": "NOPE", "sku": "COLA", "quantity": -1},
    ]
    response = api_client(admin_user).post(reverse("import-sales-list"), rows, format="json")
    assert response.status_code == 400
    errors = [(e["row"], e["column"]) for e in response.json()["errors"]]
    assert errors == [(2, "date"), (3, "quantity"), (3, "store")]
    assert not SalesFact.objects.exists()


def test_planner_may_post_only_within_scope(scoped_world):
    planner = scoped_world["scoped_planner"]
    rows = [
        {"date": "2024-01-01", "store": "N1", "sku": "COLA", "on_hand": 4},
        {"date": "2024-01-01", "store": "S1", "sku": "COLA", "on_hand": 4},
    ]
    response = api_client(planner).post(reverse("import-inventory-list"), rows, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "file": "request",
            "row": 2,
            "column": "store",
            "reason": "store 'S1' is outside your scope",
        }
    ]
    assert not InventorySnapshot.objects.exists()
    response = api_client(planner).post(reverse("import-inventory-list"), rows[:1], format="json")
    assert response.status_code == 201 and InventorySnapshot.objects.count() == 1


def test_supply_orders_batch(scoped_world, admin_user):
    rows = [
        {
            "order_ref": "PO-9",
            "store": "N1",
            "sku": "COLA",
            "ordered_on": "2024-01-01",
            "promised_on": "2024-01-04",
            "quantity_ordered": 12,
        }
    ]
    response = api_client(admin_user).post(
        reverse("import-supply-orders-list"), rows, format="json"
    )
    assert response.status_code == 201, response.json()
    assert SupplyOrder.objects.get().quantity_ordered == 12


def test_body_must_be_a_list_of_objects(admin_user, executive):
    client = api_client(admin_user)
    assert client.post(reverse("import-sales-list"), {"a": 1}, format="json").status_code == 400
    assert client.post(reverse("import-sales-list"), [1, 2], format="json").status_code == 400
    assert (
        api_client(executive).post(reverse("import-sales-list"), [], format="json").status_code
        == 403
    )
