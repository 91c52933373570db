"""``manage.py import_data``: report printing, exit codes and the recorded job run."""

import pytest
from django.core.management import call_command

from history.models import SalesFact
from jobs.models import JobRun, JobStatus
from tests.factories import SKUFactory, StoreFactory
from tests.imports.helpers import write_csv

pytestmark = pytest.mark.django_db

BAD_AND_GOOD = """
date,store,sku,quantity
2024-01-01,S1,A1,3
2024-01-02,S1,A1,-1
2024-01-03,X9,A1,2
"""


@pytest.fixture
def world(db):
    StoreFactory(code="S1"), SKUFactory(code="A1")


def run(*args, capsys):
    try:
        call_command("import_data", *args)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, capsys.readouterr().out


def test_valid_import_exits_zero_and_records_a_job(world, tmp_path, capsys, admin_user):
    write_csv(tmp_path, "sales.csv", "date,store,sku,quantity\n2024-01-01,S1,A1,3\n")
    code, out = run("--format", "sop", str(tmp_path), "--user", "admin", capsys=capsys)
    assert code == 0
    assert "1 rows written" in out and "Reading sop files" in out
    job = JobRun.objects.get(kind="import")
    assert job.status == JobStatus.SUCCEEDED and job.created_by == admin_user
    assert job.result["rows_written"] == 1 and job.wall_seconds is not None


def test_invalid_rows_exit_one_print_every_row_and_write_nothing(world, tmp_path, capsys):
    write_csv(tmp_path, "sales.csv", BAD_AND_GOOD)
    code, out = run("--format", "sop", str(tmp_path / "sales.csv"), capsys=capsys)
    assert code == 1
    assert "row 3, column quantity: quantity -1 is negative" in out
    assert "row 4, column store: store 'X9' does not exist (use --create-missing" in out
    assert not SalesFact.objects.exists()
    job = JobRun.objects.get(kind="import")
    assert job.status == JobStatus.FAILED and job.result["errors_total"] == 2


def test_skip_invalid_exits_zero_when_some_rows_are_valid(world, tmp_path, capsys):
    write_csv(tmp_path, "sales.csv", BAD_AND_GOOD)
    code, out = run("--format", "sop", str(tmp_path), "--skip-invalid", capsys=capsys)
    assert code == 0
    assert "2 problems (2 rows rejected)" in out
    assert SalesFact.objects.count() == 1


def test_skip_invalid_exits_one_when_no_row_is_valid(world, tmp_path, capsys):
    write_csv(tmp_path, "sales.csv", "date,store,sku,quantity\n2024-01-01,S1,A1,-3\n")
    code, _ = run("--format", "sop", str(tmp_path), "--skip-invalid", capsys=capsys)
    assert code == 1


def test_create_missing_flag(tmp_path, capsys, db):
    write_csv(tmp_path, "sales.csv", "date,store,sku,quantity\n2024-01-01,NEW,NEW,3\n")
    code, _ = run("--format", "sop", str(tmp_path), "--create-missing", capsys=capsys)
    assert code == 0 and SalesFact.objects.count() == 1


def test_missing_path_is_a_usage_error(tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="no such file"):
        call_command("import_data", "--format", "sop", str(tmp_path / "absent.csv"))
