"""Issue 9's findings on imports, each with the exact request or file of the probe and the
refusal or safe result expected now."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import UserRateThrottle

from accounts.models import Role
from accounts.scoping import Scope
from audit.models import AuditEntry
from history.models import InventorySnapshot, SalesFact, SupplyOrder
from imports.services import import_files, import_rows
from jobs.models import JobRun
from tests.factories import (
    CategoryFactory,
    PlanningScopeFactory,
    RegionFactory,
    SKUFactory,
    StoreFactory,
    UserFactory,
    WarehouseFactory,
)
from tests.imports.helpers import write_csv

pytestmark = pytest.mark.django_db

PROBE_ORDER = {
    "order_ref": "PO00000005",
    "store": "ST001",
    "sku": "SKU00071",
    "ordered_on": "2023-11-23",
    "promised_on": "2023-11-25",
    "quantity_ordered": 1,
}


def api_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def probe_world(db):
    """NORTH and MIDLANDS, two categories, and order PO00000005 at a MIDLANDS store for a
    SKU of the other category (ordered 40, received 40)."""
    north, midlands = RegionFactory(code="NORTH"), RegionFactory(code="MIDLANDS")
    drinks, snacks = CategoryFactory(code="DRINKS"), CategoryFactory(code="SNACKS")
    world = {
        "north": north,
        "drinks": drinks,
        "st001": StoreFactory(code="ST001", region=north),
        "st009": StoreFactory(code="ST009", region=midlands),
        "sku71": SKUFactory(code="SKU00071", category=drinks),
        "sku90": SKUFactory(code="SKU00090", category=snacks),
    }
    SupplyOrder.objects.create(
        order_ref="PO00000005",
        store=world["st009"],
        sku=world["sku90"],
        ordered_on=dt.date(2023, 11, 1),
        promised_on=dt.date(2023, 11, 8),
        received_on=dt.date(2023, 11, 9),
        quantity_ordered=40,
        quantity_received=40,
    )
    return world


def scoped_planner(*, regions=(), categories=()):
    scope = PlanningScopeFactory(user=UserFactory(role=Role.PLANNER))
    scope.regions.add(*regions)
    scope.categories.add(*categories)
    return scope.user


def order_state():
    return list(
        SupplyOrder.objects.values_list(
            "order_ref",
            "store__code",
            "sku__code",
            "quantity_ordered",
            "quantity_received",
            "received_on",
        )
    )


# Finding 1: scope on writes.


@pytest.mark.parametrize("scope", ["region", "category"])
def test_finding1_planner_cannot_take_over_another_scopes_supply_order(probe_world, scope):
    planner = (
        scoped_planner(regions=[probe_world["north"]])
        if scope == "region"
        else scoped_planner(categories=[probe_world["drinks"]])
    )
    before = order_state()
    response = api_client(planner).post(
        reverse("import-supply-orders-list"), [PROBE_ORDER], format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "file": "request",
            "row": 1,
            "column": "order_ref",
            "reason": "order_ref 'PO00000005' is an existing order outside your scope",
        }
    ]
    assert order_state() == before


def test_finding1_planner_may_still_update_their_own_order(probe_world):
    planner = scoped_planner(regions=[probe_world["north"]])
    mine = {**PROBE_ORDER, "order_ref": "PO-MINE"}
    client = api_client(planner)
    assert (
        client.post(reverse("import-supply-orders-list"), [mine], format="json").status_code == 201
    )
    again = client.post(
        reverse("import-supply-orders-list"), [{**mine, "quantity_ordered": 3}], format="json"
    )
    assert again.status_code == 201
    assert SupplyOrder.objects.get(order_ref="PO-MINE").quantity_ordered == 3


def test_finding1_audit_entry_keeps_before_and_after_of_overwritten_rows(probe_world, admin_user):
    url = reverse("import-supply-orders-list")
    # The probe's row would keep a receipt dated before its new order date: a row error.
    refused = api_client(admin_user).post(url, [PROBE_ORDER], format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["reason"] == (
        "order 'PO00000005' was received on 2023-11-09, before this ordered_on; "
        "send received_on too"
    )
    moved = {**PROBE_ORDER, "ordered_on": "2023-11-01"}
    response = api_client(admin_user).post(url, [moved], format="json")
    assert response.status_code == 201
    entry = AuditEntry.objects.get(action="import")
    [before] = entry.before["supply_orders"]
    [after] = entry.after["rows"]["supply_orders"]
    assert entry.after["changed"] == {"supply_orders": 1}
    assert before["order_ref"] == "PO00000005"
    assert before["store_id"] == probe_world["st009"].pk
    assert (before["quantity_ordered"], before["quantity_received"]) == (40, 40)
    assert before["received_on"] == "2023-11-09"
    assert after["store_id"] == probe_world["st001"].pk and after["quantity_ordered"] == 1
    # Columns the batch did not send were not written: the receipt is still there.
    order = SupplyOrder.objects.get()
    assert (order.quantity_received, order.received_on) == (40, dt.date(2023, 11, 9))


def test_finding1_master_data_changes_are_audited_with_before_values(tmp_path):
    StoreFactory(code="ST001", name="Old name")
    write_csv(tmp_path, "stores.csv", "code,name,region\nST001,New name,NORTH\n")
    assert import_files(fmt="sop", paths=[tmp_path]).is_valid
    entry = AuditEntry.objects.get(action="import")
    assert entry.before["stores"][0]["name"] == "Old name"
    assert entry.after["rows"]["stores"][0]["name"] == "New name"


def test_finding1_audit_rows_are_capped(tmp_path, settings):
    settings.IMPORT_AUDIT_MAX_ROWS = 2
    for n in range(5):
        StoreFactory(code=f"ST{n}", name="Old")
    rows = "".join(f"ST{n},New,NORTH\n" for n in range(5))
    write_csv(tmp_path, "stores.csv", "code,name,region\n" + rows)
    assert import_files(fmt="sop", paths=[tmp_path]).is_valid
    entry = AuditEntry.objects.get(action="import")
    assert len(entry.before["stores"]) == 2 and entry.after["changed"]["stores"] == 5


# Finding 2: bounded, plausible input.


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("date", "9999-12-31", "date 9999-12-31 is outside the dates accepted"),
        ("date", "1899-01-01", "date 1899-01-01 is outside the dates accepted"),
        ("quantity", 1e308, "quantity 1e+308 is larger than the 1,000,000,000 allowed"),
        ("quantity", "1e308", "quantity 1e308 is larger than the 1,000,000,000 allowed"),
        ("quantity", "inf", "quantity 'inf' is not a number"),
        ("quantity", "nan", "quantity 'nan' is not a number"),
        ("quantity", "١٢", "quantity '١٢' is not a number"),
        ("quantity", "５", "quantity '５' is not a number"),
        ("quantity", "1_000", "quantity '1_000' is not a number"),
        ("revenue", "-1e12", "revenue -1e12 is larger than the 100,000,000,000 allowed"),
        ("store", "SEC/SLASH", "store 'SEC/SLASH' may hold only letters, digits"),
        ("sku", "A\x00B", "sku contains a control character (such as NUL)"),
        ("sku", "A\x1bB", "sku contains a control character (such as NUL)"),
    ],
)
def test_finding2_implausible_sales_are_row_errors(scoped_world, admin_user, field, value, reason):
    row = {"date": "2024-01-01", "store": "N1", "sku": "COLA", "quantity": 1, field: value}
    response = api_client(admin_user).post(reverse("import-sales-list"), [row], format="json")
    assert response.status_code == 400
    reasons = [e["reason"] for e in response.json()["errors"]]
    assert any(r.startswith(reason) for r in reasons), reasons
    assert not SalesFact.objects.exists()


def test_finding2_json_infinity_and_nan_literals_are_refused(scoped_world, admin_user):
    body = '[{"date": "2024-01-01", "store": "N1", "sku": "COLA", "quantity": Infinity}]'
    response = api_client(admin_user).post(
        reverse("import-sales-list"), body, content_type="application/json"
    )
    assert response.status_code == 400 and not SalesFact.objects.exists()


def test_finding2_a_code_with_a_slash_is_refused_in_a_master_file(tmp_path):
    write_csv(tmp_path, "stores.csv", "code,name,region\nSEC/SLASH,Slash,NORTH\n")
    report = import_files(fmt="sop", paths=[tmp_path])
    assert [e["reason"] for e in report.errors] == [
        "code 'SEC/SLASH' may hold only letters, digits, '-', '_' and '.'"
    ]


# Finding 7: decompression limits.


def _gz_one_long_line(path, megabytes: int) -> None:
    with gzip.open(path, "wb", compresslevel=9) as handle:
        handle.write(b"date,store,sku,quantity\n")
        block = b"x" * 2**20
        for _ in range(megabytes):
            handle.write(block)


def test_finding7_gz_expanding_to_one_500mb_line_is_refused_early(tmp_path):
    path = tmp_path / "sales.csv.gz"
    _gz_one_long_line(path, 500)
    assert path.stat().st_size < 600_000
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_code:
        call_command("import_data", str(path), "--format", "sop", stdout=out)
    assert exit_code.value.code == 1
    assert "has a line longer than 65,536 bytes" in out.getvalue()
    job = JobRun.objects.get(kind="import")
    # The command ran as a job under the job limits' memory watch, and stopped early.
    assert job.memory_limit_mb and job.peak_memory_mb is not None and job.peak_memory_mb < 200


def test_finding7_gz_bomb_of_short_lines_is_refused_by_ratio(tmp_path, settings):
    settings.IMPORT_EXPANSION_ALLOWANCE_BYTES = 2**20
    path = tmp_path / "sales.csv.gz"
    with gzip.open(path, "wb", compresslevel=9) as handle:
        handle.write(b"date,store,sku,quantity\n")
        handle.write(b"2024-01-01,N1,COLA,1\n" * 200_000)
    report = import_files(fmt="sop", paths=[path])
    assert "possible decompression bomb" in report.errors[0]["reason"]


def test_finding7_xlsx_expanding_to_400mb_is_refused_before_parsing(tmp_path):
    path = tmp_path / "sales.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types><Override ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        )
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            block = b"0" * 2**20
            for _ in range(400):
                sheet.write(block)
    assert path.stat().st_size < 600_000
    report = import_files(fmt="sop", paths=[path])
    [error] = report.errors
    assert "unpacks to 400.0 MB" in error["reason"] and "possible zip bomb" in error["reason"]


# Finding 8: the smaller ones.


def test_finding8_nul_in_a_code_is_a_row_error_not_a_500(scoped_world, admin_user):
    row = {"date": "2024-01-01", "store": "N1\x00", "sku": "COLA", "quantity": 1}
    response = api_client(admin_user).post(reverse("import-sales-list"), [row], format="json")
    assert response.status_code == 400
    assert (
        response.json()["errors"][0]["reason"] == "store contains a control character (such as NUL)"
    )


def test_finding8_literal_null_marker_cell_is_refused(tmp_path):
    """history.bulk writes NULL as \\N in COPY: a cell holding it must never reach it."""
    write_csv(tmp_path, "events.csv", "date,name\n2024-01-01,\\N\n")
    report = import_files(fmt="sop", paths=[tmp_path])
    assert [e["reason"] for e in report.errors] == [
        "name '\\N' is not allowed (it means 'no value')"
    ]


def test_finding8_header_keys_differing_only_by_case(tmp_path, scoped_world, admin_user):
    write_csv(tmp_path, "sales.csv", "date,Store,store,sku,quantity\n2024-01-01,N1,N1,COLA,1\n")
    report = import_files(fmt="sop", paths=[tmp_path])
    assert "has the column 'Store' twice (as 'store')" in report.errors[0]["reason"]
    row = {"date": "2024-01-01", "Store": "N1", "store": "S1", "sku": "COLA", "quantity": 1}
    response = api_client(admin_user).post(reverse("import-sales-list"), [row], format="json")
    assert response.status_code == 400
    assert "differ only by case" in response.json()["errors"][0]["reason"]
    assert not SalesFact.objects.exists()


def test_finding8_json_nested_100000_deep_is_a_400(admin_user):
    body = "[" * 100_000 + "]" * 100_000
    response = api_client(admin_user).post(
        reverse("import-sales-list"), body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


def test_finding8_nested_field_values_are_row_errors(scoped_world, admin_user):
    row = {"date": "2024-01-01", "store": {"code": "N1"}, "sku": "COLA", "quantity": [1]}
    response = api_client(admin_user).post(reverse("import-sales-list"), [row], format="json")
    assert response.status_code == 400
    assert {e["column"] for e in response.json()["errors"]} == {"store", "quantity"}


def test_finding8_two_rows_a_week_apart_in_a_daily_history_stay_daily(scoped_world, admin_user):
    store, sku = scoped_world["store_in"], scoped_world["sku_in"]
    SalesFact.objects.create(store=store, sku=sku, date=dt.date(2024, 1, 1), quantity=1, grain="D")
    rows = [
        {"date": "2024-01-05", "store": "N1", "sku": "COLA", "quantity": 2},
        {"date": "2024-01-12", "store": "N1", "sku": "COLA", "quantity": 3},
    ]
    response = api_client(admin_user).post(reverse("import-sales-list"), rows, format="json")
    assert response.status_code == 201
    assert set(SalesFact.objects.values_list("grain", flat=True)) == {"D"}
    # A new series of the same store follows the store's daily history too.
    rows = [{**row, "sku": "CHIPS"} for row in rows]
    assert (
        api_client(admin_user).post(reverse("import-sales-list"), rows, format="json").status_code
        == 201
    )
    assert set(SalesFact.objects.values_list("grain", flat=True)) == {"D"}


def test_finding8_two_rows_a_week_apart_in_an_empty_history_are_daily(tmp_path, scoped_world):
    write_csv(
        tmp_path,
        "sales.csv",
        "date,store,sku,quantity\n2024-01-05,N1,COLA,3\n2024-01-12,N1,COLA,4\n",
    )
    assert import_files(fmt="sop", paths=[tmp_path]).is_valid
    assert set(SalesFact.objects.values_list("grain", flat=True)) == {"D"}


def test_finding8_sales_without_revenue_and_price_keep_them(scoped_world, admin_user, tmp_path):
    store, sku = scoped_world["store_in"], scoped_world["sku_in"]
    SalesFact.objects.create(
        store=store,
        sku=sku,
        date=dt.date(2024, 1, 1),
        quantity=1,
        revenue=9.5,
        price=9.5,
        on_promotion=True,
    )
    rows = [{"date": "2024-01-01", "store": "N1", "sku": "COLA", "quantity": 4}]
    response = api_client(admin_user).post(reverse("import-sales-list"), rows, format="json")
    assert response.status_code == 201 and response.json()["rows_written"] == 1
    fact = SalesFact.objects.get()
    assert (fact.quantity, fact.revenue, fact.price, fact.on_promotion) == (4, 9.5, 9.5, True)
    write_csv(
        tmp_path,
        "sales.csv",
        "date,store,sku,quantity\n2024-01-01,N1,COLA,5\n2024-01-02,N1,COLA,6\n",
    )
    assert import_files(fmt="sop", paths=[tmp_path]).is_valid
    fact.refresh_from_db()
    assert (fact.quantity, fact.revenue, fact.price, fact.on_promotion) == (5, 9.5, 9.5, True)
    new = SalesFact.objects.get(date=dt.date(2024, 1, 2))
    assert (new.revenue, new.price, new.on_promotion) == (None, None, False)


def test_finding8_inventory_without_on_order_keeps_it(scoped_world, admin_user):
    InventorySnapshot.objects.create(
        store=scoped_world["store_in"],
        sku=scoped_world["sku_in"],
        date=dt.date(2024, 1, 1),
        on_hand=3,
        on_order=7,
    )
    rows = [{"date": "2024-01-01", "store": "N1", "sku": "COLA", "on_hand": 5}]
    assert (
        api_client(admin_user)
        .post(reverse("import-inventory-list"), rows, format="json")
        .status_code
        == 201
    )
    snapshot = InventorySnapshot.objects.get()
    assert (snapshot.on_hand, snapshot.on_order) == (5, 7)


def test_finding8_does_not_exist_message_cuts_a_huge_cell(scoped_world):
    huge = "S" * 10_072
    report = import_rows(
        kind="sales",
        rows=[{"date": "2024-01-01", "store": huge, "sku": "COLA", "quantity": 1}],
        user=UserFactory(role=Role.ADMIN),
        scope=Scope.company_wide(),
    )
    assert report.errors and all(len(e["reason"]) < 120 for e in report.errors)
    code = [{"date": "2024-01-01", "store": "X" * 30, "sku": "Y" * 64, "quantity": 1}]
    report = import_rows(
        kind="sales", rows=code, user=UserFactory(role=Role.ADMIN), scope=Scope.company_wide()
    )
    reasons = [e["reason"] for e in report.errors]
    assert f"sku '{'Y' * 59}…' does not exist (create it first)" in reasons


def test_finding8_planner_cannot_write_warehouse_inventory_it_cannot_read(scoped_world):
    planner = scoped_world["scoped_planner"]
    WarehouseFactory(code="W-NORTH", region=scoped_world["north"])
    WarehouseFactory(code="W-SOUTH", region=scoped_world["south"])
    rows = [{"date": "2024-01-01", "warehouse": "W-SOUTH", "sku": "COLA", "on_hand": 4}]
    response = api_client(planner).post(reverse("import-inventory-list"), rows, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["reason"] == "warehouse 'W-SOUTH' is outside your scope"
    assert not InventorySnapshot.objects.exists()
    rows[0]["warehouse"] = "W-NORTH"
    response = api_client(planner).post(reverse("import-inventory-list"), rows, format="json")
    assert response.status_code == 201
    visible = InventorySnapshot.objects.visible_to(Scope.for_user(planner))
    assert visible.count() == InventorySnapshot.objects.count() == 1


def test_finding8_api_throttle_answers_429(scoped_world, admin_user, monkeypatch):
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setitem(UserRateThrottle.THROTTLE_RATES, "user", "3/hour")
    client = api_client(admin_user)
    codes = [client.get(reverse("store-list")).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    row = [{"date": "2024-01-01", "store": "N1", "sku": "COLA", "quantity": 1}]
    assert client.post(reverse("import-sales-list"), row, format="json").status_code == 429
    assert not SalesFact.objects.exists()
    cache.clear()


def test_finding8_json_body_with_huge_integer_is_a_400(admin_user):
    body = json.dumps([{"quantity": 1}]).replace("1", "9" * 5000)
    response = api_client(admin_user).post(
        reverse("import-sales-list"), body, content_type="application/json"
    )
    assert response.status_code == 400


def test_finding1_file_import_by_a_scoped_user_is_held_to_the_scope(probe_world, tmp_path):
    """The service applies the same checks to files when a scoped user imports them (the
    Import page is for admins, but ``import_data --user`` may name a planner)."""
    planner = scoped_planner(regions=[probe_world["north"]])
    write_csv(
        tmp_path,
        "supply_orders.csv",
        "order_ref,store,sku,ordered_on,promised_on,quantity_ordered\n"
        "PO00000005,ST001,SKU00071,2023-11-23,2023-11-25,1\n",
    )
    before = order_state()
    report = import_files(fmt="sop", paths=[tmp_path], user=planner)
    assert [e["reason"] for e in report.errors] == [
        "order_ref 'PO00000005' is an existing order outside your scope"
    ]
    assert order_state() == before
