"""Importing S&OP-format files: validation, row numbers, all-or-nothing, idempotence."""

import datetime as dt

import pytest

from audit.models import AuditEntry
from history.models import CalendarEvent, InventorySnapshot, Promotion, SalesFact, SupplyOrder
from imports.services import import_files
from masterdata.models import SKU, Category, Region, Store
from tests.factories import SKUFactory, StoreFactory
from tests.imports.helpers import write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return {"store": StoreFactory(code="S1"), "sku": SKUFactory(code="A1")}


def errors_by_row(report):
    return {(e["file"], e["row"]): e for e in report.errors}


def test_valid_sales_file_is_written_and_reimport_writes_nothing(world, tmp_path):
    write_csv(
        tmp_path,
        "sales.csv",
        """
date,store,sku,quantity,revenue,price,on_promotion
2024-01-01,S1,A1,3,7.5,2.5,0
2024-01-02,S1,A1,4,10,2.5,1
""",
    )
    first = import_files(fmt="sop", paths=[tmp_path])
    assert first.is_valid, first.errors
    assert first.rows_read == 2 and first.written == {"sales": 2} and first.rows_written == 2
    fact = SalesFact.objects.get(date=dt.date(2024, 1, 2))
    assert (fact.quantity, fact.revenue, fact.price, fact.on_promotion, fact.grain) == (
        4.0,
        10.0,
        2.5,
        True,
        "D",
    )
    second = import_files(fmt="sop", paths=[tmp_path])
    assert second.rows_written == 0 and second.written == {}
    assert SalesFact.objects.count() == 2
    assert AuditEntry.objects.filter(action="import").count() == 2
    assert AuditEntry.objects.filter(action="import").first().after["rows_written"] == 0


def test_every_bad_row_is_reported_with_its_spreadsheet_row_and_nothing_written(world, tmp_path):
    write_csv(
        tmp_path,
        "sales_2024.csv",
        """
date,store,sku,quantity,price
2024-01-01,S1,A1,3,2.5
2024-13-01,S1,A1,3,2.5
2024-01-03,S1,A1,-3,2.5
2024-01-04,X9,A1,1,2.5
2024-01-01,S1,A1,5,2.5

2024-01-06,S1,A1,abc,-1
2024-01-07,S1,A1,,
""",
    )
    report = import_files(fmt="sop", paths=[tmp_path])
    rows = errors_by_row(report)
    file = "sales_2024.csv"
    assert rows[(file, 3)]["reason"] == "date '2024-13-01' is not a valid date (YYYY-MM-DD)"
    assert rows[(file, 4)]["reason"] == "quantity -3 is negative"
    assert rows[(file, 5)]["reason"] == (
        "store 'X9' does not exist (use --create-missing to create it)"
    )
    assert rows[(file, 6)]["reason"] == "duplicate of row 2 (same date, store, sku)"
    # Row 7 is blank: skipped, but the rows after it keep their spreadsheet numbers.
    bad_eight = sorted(e["reason"] for e in report.errors if e["row"] == 8)
    assert bad_eight == ["price -1 is negative", "quantity 'abc' is not a number"]
    assert rows[(file, 9)]["reason"] == "quantity or revenue is required"
    assert (file, 2) not in rows
    assert report.rows_read == 7 and report.rows_written == 0
    assert not SalesFact.objects.exists()
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["import_rejected"]


def test_skip_invalid_writes_the_good_rows(world, tmp_path):
    write_csv(
        tmp_path,
        "sales.csv",
        """
date,store,sku,quantity
2024-01-01,S1,A1,3
2024-01-02,S1,A1,-1
2024-01-03,S1,A1,2
""",
    )
    report = import_files(fmt="sop", paths=[tmp_path], skip_invalid=True)
    assert [e["row"] for e in report.errors] == [3]
    assert report.rows_written == 2
    assert set(SalesFact.objects.values_list("quantity", flat=True)) == {3.0, 2.0}


def test_missing_required_column_is_one_file_error_and_unknown_column_a_warning(world, tmp_path):
    write_csv(tmp_path, "sales.csv", "date,store,qty,colour\n2024-01-01,S1,3,red\n")
    report = import_files(fmt="sop", paths=[tmp_path])
    assert [(e["row"], e["reason"]) for e in report.errors] == [
        (None, "required column 'sku' is missing"),
        (None, "required column 'quantity' is missing"),
    ]
    assert any("'colour'" in w for w in report.warnings)


def test_unknown_file_kind_is_reported(tmp_path):
    write_csv(tmp_path, "orders.csv", "a\n1\n")
    report = import_files(fmt="sop", paths=[tmp_path])
    assert "is not a known kind of file" in report.errors[0]["reason"]


def test_create_missing_creates_master_data_with_defaults(db, tmp_path):
    write_csv(tmp_path, "sales.csv", "date,store,sku,quantity\n2024-01-01,NEW1,NEWSKU,3\n")
    report = import_files(fmt="sop", paths=[tmp_path], create_missing=True)
    assert report.is_valid, report.errors
    store, sku = Store.objects.get(code="NEW1"), SKU.objects.get(code="NEWSKU")
    assert store.region.code == "UNASSIGNED" and sku.category.code == "UNCATEGORISED"
    assert report.written["stores"] == 1 and report.written["skus"] == 1
    again = import_files(fmt="sop", paths=[tmp_path], create_missing=True)
    assert again.rows_written == 0


def test_master_files_define_stores_skus_and_their_tree(tmp_path):
    write_csv(
        tmp_path,
        "stores.csv",
        """
code,name,region,format,floor_area_m2
S1,First store,NORTH,hyper,2500
""",
    )
    write_csv(
        tmp_path,
        "skus.csv",
        """
code,name,category,parent_category,unit_price,lead_time_days,active
COLA,Cola 1l,SODA,DRINKS,1.99,,false
""",
    )
    write_csv(tmp_path, "sales.csv", "date,store,sku,quantity\n2024-01-01,S1,COLA,3\n")
    report = import_files(fmt="sop", paths=[tmp_path])
    assert report.is_valid, report.errors
    store, sku = Store.objects.get(code="S1"), SKU.objects.get(code="COLA")
    assert (store.name, store.region.code, store.store_format, store.floor_area_m2) == (
        "First store",
        "NORTH",
        "hyper",
        2500,
    )
    assert (sku.category.code, sku.category.parent.code) == ("SODA", "DRINKS")
    assert (sku.lead_time_days, sku.is_active, float(sku.unit_price)) == (7, False, 1.99)
    assert Region.objects.count() == 1 and Category.objects.count() == 2
    assert import_files(fmt="sop", paths=[tmp_path]).rows_written == 0


def test_other_fact_files(world, tmp_path):
    write_csv(tmp_path, "inventory.csv", "date,store,sku,on_hand\n2024-01-01,S1,A1,12\n")
    write_csv(
        tmp_path,
        "supply_orders.csv",
        """
order_ref,store,sku,ordered_on,promised_on,received_on,quantity_ordered
PO-1,S1,A1,2024-01-01,2024-01-05,2024-01-06,40
""",
    )
    write_csv(
        tmp_path,
        "promotions.csv",
        """
code,store,sku,start_date,end_date,mechanic,discount_pct
P1,S1,,2024-01-01,2024-01-07,price_off,20
""",
    )
    write_csv(tmp_path, "events.csv", "date,name,type\n2024-12-25,Christmas,holiday\n")
    report = import_files(fmt="sop", paths=[tmp_path])
    assert report.is_valid, report.errors
    assert report.written == {"inventory": 1, "supply_orders": 1, "promotions": 1, "events": 1}
    assert InventorySnapshot.objects.get().on_order == 0
    assert SupplyOrder.objects.get().received_on == dt.date(2024, 1, 6)
    assert Promotion.objects.get().sku is None
    assert CalendarEvent.objects.get().event_type == "holiday"
    assert import_files(fmt="sop", paths=[tmp_path]).rows_written == 0


def test_cross_column_rules(world, tmp_path):
    write_csv(
        tmp_path,
        "supply_orders.csv",
        """
order_ref,store,warehouse,sku,ordered_on,promised_on,quantity_ordered
PO-1,S1,W1,A1,2024-01-05,2024-01-01,0
PO-2,,,A1,2024-01-05,2024-01-06,3
""",
    )
    write_csv(
        tmp_path,
        "promotions.csv",
        "code,start_date,end_date,discount_pct\nP1,2024-01-07,2024-01-01,150\n",
    )
    report = import_files(fmt="sop", paths=[tmp_path])
    reasons = {(e["file"], e["row"], e["reason"]) for e in report.errors}
    assert ("supply_orders.csv", 2, "give a store or a warehouse, not both") in reasons
    assert (
        "supply_orders.csv",
        2,
        "promised_on 2024-01-01 is before ordered_on 2024-01-05",
    ) in reasons
    assert ("supply_orders.csv", 2, "quantity_ordered 0 must be greater than 0") in reasons
    assert ("supply_orders.csv", 3, "store or warehouse is required") in reasons
    assert ("promotions.csv", 2, "end_date 2024-01-01 is before start_date 2024-01-07") in reasons
    assert ("promotions.csv", 2, "discount_pct 150 is above 100") in reasons


def test_weekly_grain_is_detected_and_can_be_forced(world, tmp_path):
    """Weekly needs four dates a multiple of seven days apart (two could be daily sales)."""
    weeks = "".join(f"2024-01-{day:02d},S1,A1,3\n" for day in (5, 12, 19, 26))
    write_csv(tmp_path, "sales.csv", "date,store,sku,quantity\n" + weeks)
    import_files(fmt="sop", paths=[tmp_path])
    assert set(SalesFact.objects.values_list("grain", flat=True)) == {"W"}
    import_files(fmt="sop", paths=[tmp_path], grain="D")
    assert set(SalesFact.objects.values_list("grain", flat=True)) == {"D"}


def test_hostile_long_values_are_limited(world, tmp_path):
    write_csv(tmp_path, "events.csv", f"date,name\n2024-01-01,{'x' * 500}\n")
    report = import_files(fmt="sop", paths=[tmp_path])
    assert report.errors[0]["reason"] == "name is longer than 120 characters"


def test_formula_text_is_stored_as_is(world, tmp_path):
    write_csv(tmp_path, "events.csv", 'date,name\n2024-01-01,"=HYPERLINK(""http://x"")"\n')
    assert import_files(fmt="sop", paths=[tmp_path]).is_valid
    assert CalendarEvent.objects.get().name == '=HYPERLINK("http://x")'
