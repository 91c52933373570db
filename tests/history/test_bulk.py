"""Bulk upserts: every text arrives as itself, re-writes write nothing, first loads keep the
table's constraints and indexes, and a bad first load fails whole."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from django.db import IntegrityError, connection

from history import bulk
from history.bulk import UpsertTarget, upsert_frame, upsert_frames
from history.models import Promotion, SalesFact
from history.pgcopy import MAX_GROUPS
from tests.factories import SKUFactory, StoreFactory

pytestmark = pytest.mark.django_db

AWKWARD_TEXTS = ["\\N", "", "tab\there", "line\nbreak", "back\\slash", "quote\"'", "é ✓", "NULL"]
PROMOTIONS = UpsertTarget(Promotion, ["code"])
SALES = UpsertTarget(SalesFact, ["store_id", "sku_id", "date"])


@pytest.fixture
def world(db):
    return {"store": StoreFactory(code="S1"), "sku": SKUFactory(code="A1")}


def promotions(names, discounts=None):
    return pd.DataFrame(
        {
            "code": [f"P{i:03d}" for i in range(len(names))],
            "name": names,
            "start_date": pd.Timestamp("2024-01-01"),
            "end_date": pd.Timestamp("2024-01-07"),
            "mechanic": "",
            "discount_pct": discounts if discounts is not None else [None] * len(names),
        }
    )


def stored_promotions():
    return dict(Promotion.objects.order_by("code").values_list("name", "discount_pct"))


@pytest.mark.parametrize("varied", [False, True], ids=["binary", "text"])
def test_text_cells_arrive_as_themselves_and_only_missing_values_are_null(varied):
    names = list(AWKWARD_TEXTS)
    if varied:
        # More text lengths than the binary writer groups: the frame goes as text COPY.
        names += ["x" * n for n in range(1, MAX_GROUPS + 2)]
    discounts = [None if i % 2 else 10.0 for i in range(len(names))]
    assert upsert_frame(PROMOTIONS, promotions(names, discounts)) == len(names)
    stored = dict(Promotion.objects.values_list("code", "name"))
    assert [stored[f"P{i:03d}"] for i in range(len(names))] == names
    assert Promotion.objects.filter(discount_pct__isnull=True).count() == len(names) // 2
    assert not Promotion.objects.filter(name__isnull=True).exists()


def test_rewriting_the_same_frame_writes_nothing_and_a_change_writes_one_row():
    frame = promotions(AWKWARD_TEXTS)
    upsert_frame(PROMOTIONS, frame)
    assert upsert_frame(PROMOTIONS, frame) == 0
    frame.loc[2, "name"] = "changed"
    assert upsert_frame(PROMOTIONS, frame) == 1
    assert Promotion.objects.get(code="P002").name == "changed"


def sales(world, days, quantity=1.0, start="2024-01-01"):
    return pd.DataFrame(
        {
            "store_id": world["store"].id,
            "sku_id": world["sku"].id,
            "date": pd.date_range(start, periods=days, freq="D"),
            "grain": "D",
            "quantity": quantity,
            "revenue": np.arange(days, dtype=float) * 1.5,
            "price": None,
            "on_promotion": False,
        }
    )


def table_schema(table):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass ORDER BY 1",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s ORDER BY 1", [table])
        return constraints, cursor.fetchall()


@pytest.fixture
def first_loads(monkeypatch):
    """Small frames take the first-load path, as tens of thousands of rows would."""
    if connection.vendor != "postgresql":
        pytest.skip("the first-load path is PostgreSQL's")
    monkeypatch.setattr(bulk, "FIRST_LOAD_MIN_ROWS", 1)


def test_first_load_into_an_empty_table_keeps_its_constraints_and_indexes(world, first_loads):
    before = table_schema(SalesFact._meta.db_table)
    chunks = [sales(world, 10), sales(world, 5, start="2024-02-01")]
    assert upsert_frames(SALES, chunks, rows=15) == 15
    assert table_schema(SalesFact._meta.db_table) == before
    assert SalesFact.objects.count() == 15
    row = SalesFact.objects.get(date=dt.date(2024, 1, 3))
    assert (row.quantity, row.revenue, row.price, row.grain) == (1.0, 3.0, None, "D")
    # The table is no longer empty: the same rows again go through the merge and write nothing.
    assert upsert_frames(SALES, chunks, rows=15) == 0
    changed = sales(world, 10, quantity=2.0)
    assert upsert_frame(SALES, changed) == 10


def test_first_load_takes_its_ids_from_the_sequence_as_row_by_row_inserts_would(world, first_loads):
    SalesFact.objects.create(
        store=world["store"], sku=world["sku"], date=dt.date(2023, 1, 1), grain="D", revenue=1.0
    )
    taken = SalesFact.objects.get().id
    SalesFact.objects.all().delete()
    chunks = [sales(world, 10), sales(world, 5, start="2024-02-01")]
    assert upsert_frames(SALES, chunks, rows=15) == 15
    ids = sorted(SalesFact.objects.values_list("id", flat=True))
    assert ids == list(range(taken + 1, taken + 16))
    later = SalesFact.objects.create(
        store=world["store"], sku=world["sku"], date=dt.date(2023, 1, 1), grain="D", revenue=1.0
    )
    assert later.id == taken + 16


def test_first_load_with_a_duplicate_key_fails_whole(world, first_loads):
    frame = pd.concat([sales(world, 3), sales(world, 1)])
    with pytest.raises(IntegrityError):
        upsert_frame(SALES, frame)


def test_first_load_with_a_dangling_reference_fails_whole(world, first_loads):
    frame = sales(world, 3)
    frame["store_id"] = world["store"].id + 1000
    with pytest.raises(IntegrityError):
        upsert_frame(SALES, frame)


def test_merge_into_a_filled_table_updates_only_changed_rows(world):
    upsert_frame(SALES, sales(world, 4))
    frame = sales(world, 6)
    frame.loc[0, "revenue"] = 99.0
    assert upsert_frame(SALES, frame) == 3  # one changed, two new
    assert SalesFact.objects.get(date=dt.date(2024, 1, 1)).revenue == 99.0


def test_nullable_ids_and_python_dates_arrive_in_the_binary_copy(world):
    frame = pd.DataFrame(
        {
            "code": ["A", "B", "C"],
            "name": ["a", "b", "c"],
            "store_id": pd.array([world["store"].id, None, world["store"].id], dtype="Int64"),
            "sku_id": pd.array([None, world["sku"].id, None], dtype="Int64"),
            "start_date": [dt.date(2024, 1, 1), dt.date(1999, 12, 31), dt.date(2030, 6, 30)],
            "end_date": [dt.date(2024, 1, 2), dt.date(2000, 1, 1), dt.date(2030, 7, 1)],
            "mechanic": "",
            "discount_pct": [None, 12.5, None],
        }
    )
    assert upsert_frame(PROMOTIONS, frame) == 3
    stored = {p.code: p for p in Promotion.objects.all()}
    assert stored["A"].store_id == world["store"].id and stored["A"].sku_id is None
    assert stored["B"].store_id is None and stored["B"].sku_id == world["sku"].id
    assert stored["B"].start_date == dt.date(1999, 12, 31)
    assert stored["C"].end_date == dt.date(2030, 7, 1)
    assert stored["B"].discount_pct == 12.5 and stored["C"].discount_pct is None
    assert upsert_frame(PROMOTIONS, frame) == 0


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_an_upsert_is_atomic_by_itself(world, first_loads):
    before = table_schema(SalesFact._meta.db_table)
    assert upsert_frame(SALES, sales(world, 5)) == 5
    assert table_schema(SalesFact._meta.db_table) == before
    assert upsert_frame(SALES, sales(world, 7)) == 2
    dangling = sales(world, 9)
    dangling.loc[8, "store_id"] = world["store"].id + 1000
    with pytest.raises(IntegrityError):
        upsert_frame(SALES, dangling)
    assert SalesFact.objects.count() == 7
