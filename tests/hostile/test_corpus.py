"""The hostile-input corpus: every case gets a clear refusal or a safe result, never a
server error, and a refusal never leaves a table changed (0 partial writes)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from history.models import CalendarEvent, SalesFact, StoreClosure, SupplyOrder
from masterdata.models import Store
from tests.factories import WarehouseFactory
from tests.hostile.cases import ALL_CASES
from tests.hostile.runner import judge, run_case

pytestmark = pytest.mark.django_db


def api_client(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def logged_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def world(scoped_world, admin_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    WarehouseFactory(code="W-N", region=scoped_world["north"])
    WarehouseFactory(code="W-S", region=scoped_world["south"])
    south, chips = scoped_world["store_out"], scoped_world["sku_out"]
    SalesFact.objects.create(
        store=south, sku=chips, date=dt.date(2024, 1, 1), quantity=2, revenue=20, price=2
    )
    SupplyOrder.objects.create(
        order_ref="PO-SOUTH",
        store=south,
        sku=chips,
        ordered_on=dt.date(2023, 12, 1),
        promised_on=dt.date(2023, 12, 8),
        quantity_ordered=40,
    )
    return {
        "admin_client": logged_in(admin_user),
        "planner_client": logged_in(scoped_world["scoped_planner"]),
        "api_admin": api_client(admin_user),
        "api_planner": api_client(scoped_world["scoped_planner"]),
        "files": tmp_path,
        "models": {
            "SalesFact": SalesFact,
            "CalendarEvent": CalendarEvent,
            "Store": Store,
            "StoreClosure": StoreClosure,
        },
    }


def test_hostile_corpus(world, capsys):
    runs, server_errors, partial_writes, failures = 0, 0, 0, []
    for case in ALL_CASES:
        for channel in case.channels:
            runs += 1
            outcome, partial = run_case(case, channel, world)
            server_errors += outcome.server_error
            partial_writes += partial
            problem = judge(case, outcome, world)
            if partial:
                problem = (problem + "; " if problem else "") + "partial write"
            if problem:
                failures.append(f"{case.name} via {channel}: {problem}")
    with capsys.disabled():
        print(
            f"\nhostile corpus: {runs} cases, {server_errors} server errors, "
            f"{partial_writes} partial writes"
        )
    assert not failures, "\n".join(failures)
    assert runs >= 100 and server_errors == 0 and partial_writes == 0
