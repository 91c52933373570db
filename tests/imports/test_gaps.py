"""Store-periods without any sales row: recorded as missing (the default) or read as zero."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from history.models import MissingPeriod
from imports.services import import_files
from jobs.models import JobRun
from tests.factories import SKUFactory, StoreFactory
from tests.imports.helpers import write_csv

pytestmark = pytest.mark.django_db

FRIDAYS = [dt.date(2024, 1, 5) + dt.timedelta(weeks=w) for w in range(6)]


@pytest.fixture
def world(db):
    for code in ("S1", "S2"):
        StoreFactory(code=code)
    for code in ("A1", "A2"):
        SKUFactory(code=code)


def weekly_sales(folder, *, skip: set[tuple[str, dt.date]] = frozenset(), weeks=FRIDAYS):
    """Two stores × two SKUs every Friday, less the (store, week) pairs in ``skip``; S1 has
    no row for A2 in the second week (a SKU that sold nothing)."""
    lines = ["date,store,sku,quantity"]
    for day in weeks:
        for store in ("S1", "S2"):
            if (store, day) in skip:
                continue
            for sku in ("A1", "A2"):
                if (store, sku, day) != ("S1", "A2", weeks[1]):
                    lines.append(f"{day},{store},{sku},10")
    return write_csv(folder, "sales.csv", "\n".join(lines) + "\n")


def missing():
    return sorted(MissingPeriod.objects.values_list("store__code", "date", "grain"))


def test_a_store_without_rows_for_a_week_is_recorded_missing_and_counted(world, tmp_path):
    weekly_sales(tmp_path, skip={("S2", FRIDAYS[3])})
    report = import_files(fmt="sop", paths=[tmp_path])
    assert report.is_valid, report.errors
    # S1's missing A2 row in week 2 is a zero, not a gap: S1 reported that week.
    assert missing() == [("S2", FRIDAYS[3], "W")]
    assert report.gaps == {"read_as": "missing", "store-weeks": 1}
    assert "1 store-week had no rows and is read as missing" in report.notes
    assert report.as_dict()["notes"] == report.notes
    again = import_files(fmt="sop", paths=[tmp_path])
    assert again.rows_written == 0 and missing() == [("S2", FRIDAYS[3], "W")]


def test_gaps_zero_records_nothing_and_clears_earlier_records(world, tmp_path):
    weekly_sales(tmp_path, skip={("S2", FRIDAYS[3])})
    import_files(fmt="sop", paths=[tmp_path])
    report = import_files(fmt="sop", paths=[tmp_path], gaps="zero")
    assert missing() == []
    assert "1 store-week had no rows and is read as zero sales" in report.notes


def test_rows_arriving_later_remove_the_record(world, tmp_path):
    weekly_sales(tmp_path, skip={("S2", FRIDAYS[3])})
    import_files(fmt="sop", paths=[tmp_path])
    late = tmp_path / "late"
    late.mkdir()
    write_csv(late, "sales.csv", f"date,store,sku,quantity\n{FRIDAYS[3]},S2,A1,4\n")
    report = import_files(fmt="sop", paths=[late])
    assert report.is_valid and missing() == []
    assert report.gaps == {"read_as": "missing"}


def test_a_store_that_starts_late_or_stops_early(world, tmp_path):
    """Before a store's first sale is no gap; after its last, within the import, it is."""
    weekly_sales(tmp_path, skip={("S2", FRIDAYS[0]), ("S2", FRIDAYS[1]), ("S2", FRIDAYS[5])})
    report = import_files(fmt="sop", paths=[tmp_path])
    assert missing() == [("S2", FRIDAYS[5], "W")]
    assert report.gaps["store-weeks"] == 1


def test_an_incremental_import_sees_the_stores_earlier_weeks(world, tmp_path):
    """S2 reported before this import, so the import's first week without S2 is a gap."""
    weekly_sales(tmp_path, weeks=FRIDAYS[:3])
    import_files(fmt="sop", paths=[tmp_path], grain="W")
    later = tmp_path / "later"
    later.mkdir()
    weekly_sales(later, weeks=FRIDAYS[3:], skip={("S2", FRIDAYS[3])})
    import_files(fmt="sop", paths=[later])
    assert missing() == [("S2", FRIDAYS[3], "W")]


def test_a_store_left_out_of_a_later_file_is_missing_while_it_was_still_selling(world, tmp_path):
    StoreFactory(code="S3")
    weekly_sales(tmp_path, weeks=FRIDAYS[:3])
    import_files(fmt="sop", paths=[tmp_path], grain="W")
    later = tmp_path / "later"
    later.mkdir()
    weekly_sales(later, weeks=FRIDAYS[3:], skip={("S2", day) for day in FRIDAYS[3:]})
    for _ in range(2):
        report = import_files(fmt="sop", paths=[later])
        assert report.is_valid, report.errors
    assert missing() == [("S2", day, "W") for day in FRIDAYS[3:]]
    # S3 never sold anything: it is no store that stopped reporting.
    assert report.gaps == {"read_as": "missing", "store-weeks": 3}


def test_daily_gaps_count_store_days(world, tmp_path):
    write_csv(
        tmp_path,
        "sales.csv",
        "date,store,sku,quantity\n"
        + "".join(
            f"2024-03-{day:02d},{store},A1,1\n"
            for day in range(1, 6)
            for store in ("S1", "S2")
            if (store, day) != ("S1", 3)
        ),
    )
    report = import_files(fmt="sop", paths=[tmp_path])
    assert missing() == [("S1", dt.date(2024, 3, 3), "D")]
    assert "1 store-day had no rows and is read as missing" in report.notes


def test_command_takes_gaps_and_prints_the_count(world, tmp_path, capsys):
    weekly_sales(tmp_path, skip={("S2", FRIDAYS[3])})
    call_command("import_data", "--format", "sop", str(tmp_path), "--gaps", "zero")
    out = capsys.readouterr().out
    assert "note: 1 store-week had no rows and is read as zero sales" in out
    assert missing() == []
    with pytest.raises(CommandError, match="invalid choice: 'maybe'"):
        call_command("import_data", "--format", "sop", str(tmp_path), "--gaps", "maybe")


def test_upload_page_takes_gaps_and_the_job_page_shows_the_count(
    world, client, admin_user, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    weekly_sales(tmp_path, skip={("S2", FRIDAYS[3])})
    client.force_login(admin_user)
    upload = SimpleUploadedFile("sales.csv", (tmp_path / "sales.csv").read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("imports:upload"), {"format": "sop", "files": [upload], "gaps": "zero"}
        )
    job = JobRun.objects.get(kind="import")
    assert response.status_code == 302 and job.params["gaps"] == "zero"
    page = client.get(response["Location"])
    assert b"1 store-week had no rows and is read as zero sales" in page.content
    assert missing() == []
