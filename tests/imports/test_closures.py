"""Store closures in the sop format and the API: all-or-nothing, row-by-row errors, audited."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.scoping import Scope
from audit.models import AuditEntry
from history.models import StoreClosure
from imports.services import import_files
from tests.factories import StoreFactory
from tests.imports.helpers import write_csv
from tests.imports.test_api import api_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    StoreFactory(code="S1")


def closures():
    return sorted(
        StoreClosure.objects.values_list("store__code", "start_date", "end_date", "reason")
    )


def test_closures_are_written_updated_and_audited(world, tmp_path):
    write_csv(
        tmp_path,
        "closures_2024.csv",
        """
store,from,to,reason
S1,2024-12-25,2024-12-26,Christmas
S1,2024-03-04,2024-03-17,Renovation
""",
    )
    report = import_files(fmt="sop", paths=[tmp_path])
    assert report.is_valid, report.errors
    assert report.written == {"closures": 2}
    assert closures() == [
        ("S1", dt.date(2024, 3, 4), dt.date(2024, 3, 17), "Renovation"),
        ("S1", dt.date(2024, 12, 25), dt.date(2024, 12, 26), "Christmas"),
    ]
    assert import_files(fmt="sop", paths=[tmp_path]).rows_written == 0
    write_csv(tmp_path, "closures_2024.csv", "store,from,to\nS1,2024-12-25,2024-12-27\n")
    changed = import_files(fmt="sop", paths=[tmp_path])
    assert changed.written == {"closures": 1}
    # A column absent from the file is left as it was.
    assert ("S1", dt.date(2024, 12, 25), dt.date(2024, 12, 27), "Christmas") in closures()
    entry = AuditEntry.objects.filter(action="import").latest("pk")
    assert entry.before["closures"][0]["end_date"] == "2024-12-26"
    assert entry.after["rows"]["closures"][0]["end_date"] == "2024-12-27"


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("X9,2024-01-01,2024-01-02,flood", "store", "store 'X9' does not exist"),
        ("S1,2024-01-05,2024-01-01,flood", "to", "to 2024-01-01 is before from 2024-01-05"),
        ("S1,2024-02-30,2024-03-01,flood", "from", "from '2024-02-30' is not a valid date"),
        ("S1,2024-01-01,01/02/2024,flood", "to", "to '01/02/2024' is not a valid date"),
        ("S1,2024-01-01,9999-12-31,flood", "to", "is outside the dates accepted"),
        ("S1,,2024-01-02,flood", "from", "from is empty"),
        ("S1,2024-01-01,2024-01-02,a\x1bb", "reason", "contains a control character"),
        ("S1,2024-01-01,2024-01-02," + "x" * 201, "reason", "longer than 200 characters"),
        ("S 1,2024-01-01,2024-01-02,flood", "store", "may hold only letters"),
    ],
)
def test_a_bad_row_is_reported_and_nothing_written(world, tmp_path, row, column, reason):
    write_csv(
        tmp_path, "closures.csv", f"store,from,to,reason\nS1,2024-06-01,2024-06-02,ok\n{row}\n"
    )
    report = import_files(fmt="sop", paths=[tmp_path])
    assert [(e["row"], e["column"]) for e in report.errors] == [(3, column)]
    assert reason in report.errors[0]["reason"]
    assert closures() == []


def test_duplicate_start_and_missing_column_are_refused(world, tmp_path):
    write_csv(
        tmp_path,
        "closures.csv",
        "store,from,to\nS1,2024-01-01,2024-01-02\nS1,2024-01-01,2024-01-03\n",
    )
    report = import_files(fmt="sop", paths=[tmp_path])
    assert "duplicate of row 2" in report.errors[0]["reason"]
    write_csv(tmp_path, "closures.csv", "store,from\nS1,2024-01-01\n")
    report = import_files(fmt="sop", paths=[tmp_path])
    assert report.errors[0]["reason"] == "required column 'to' is missing"
    assert closures() == []


def test_api_takes_closures_within_the_planners_scope(scoped_world, admin_user):
    planner = scoped_world["scoped_planner"]
    url = reverse("import-closures-list")
    inside = {"store": "N1", "from": "2024-01-01", "to": "2024-01-01", "reason": "flood"}
    outside = {**inside, "store": "S1"}
    refused = api_client(planner).post(url, [inside, outside], format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["reason"] == "store 'S1' is outside your scope"
    assert closures() == []
    assert api_client(planner).post(url, [inside], format="json").status_code == 201
    assert api_client(admin_user).post(url, [outside], format="json").status_code == 201
    scope = Scope.for_user(planner)
    assert [c.store.code for c in StoreClosure.objects.visible_to(scope)] == ["N1"]


def test_api_refuses_an_unknown_gaps_reading(scoped_world, admin_user):
    rows = [{"date": "2024-01-01", "store": "N1", "sku": "COLA", "quantity": 1}]
    url = reverse("import-sales-list") + "?gaps=maybe"
    response = api_client(admin_user).post(url, rows, format="json")
    assert response.status_code == 400 and "gaps must be" in response.json()["detail"]
