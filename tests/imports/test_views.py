"""The import page: admins upload, the job runs, the report lists every bad row."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from history.models import SalesFact
from jobs.models import JobRun, JobStatus
from tests.factories import SKUFactory, StoreFactory

pytestmark = pytest.mark.django_db

TWO_BAD_ROWS = (
    b"date,store,sku,quantity\n2024-01-01,S1,A1,3\n2024-01-02,S1,A1,-1\n2024-99-01,S1,A1,2\n"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def post(client, files, **extra):
    return client.post(reverse("imports:upload"), {"format": "sop", "files": files, **extra})


def test_planner_gets_403(client, planner):
    client.force_login(planner)
    assert client.get(reverse("imports:upload")).status_code == 403
    assert post(client, [SimpleUploadedFile("sales.csv", b"a\n")]).status_code == 403


def test_admin_sees_the_form(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("imports:upload"))
    assert response.status_code == 200
    assert b'type="file"' in response.content and b"multiple" in response.content


def test_upload_with_two_bad_rows_reports_both_and_writes_nothing(
    client, admin_user, tmp_path, django_capture_on_commit_callbacks
):
    StoreFactory(code="S1"), SKUFactory(code="A1")
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, [SimpleUploadedFile("sales.csv", TWO_BAD_ROWS)])
    job = JobRun.objects.get(kind="import")
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    (stored,) = (Path(p) for p in job.params["paths"])
    assert stored.name == "sales.csv" and stored.exists()
    assert stored.parent.parent == tmp_path / "imports"
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert [(e["row"], e["column"]) for e in job.result["errors"]] == [(3, "quantity"), (4, "date")]
    assert not SalesFact.objects.exists()
    page = client.get(response["Location"])
    assert b"quantity -1 is negative" in page.content
    assert b"2024-99-01" in page.content
    listing = client.get(reverse("imports:list"))
    assert listing.status_code == 200 and b"sales.csv" in listing.content


def test_upload_skip_invalid_writes_good_rows(
    client, admin_user, django_capture_on_commit_callbacks
):
    StoreFactory(code="S1"), SKUFactory(code="A1")
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, [SimpleUploadedFile("sales.csv", TWO_BAD_ROWS)], skip_invalid="on")
    job = JobRun.objects.get(kind="import")
    assert job.status == JobStatus.SUCCEEDED and job.result["rows_written"] == 1
    assert SalesFact.objects.count() == 1


def test_file_that_is_not_what_its_extension_claims_is_refused(client, admin_user):
    client.force_login(admin_user)
    response = post(client, [SimpleUploadedFile("sales.xlsx", b"date,store\n")])
    assert response.status_code == 400
    assert b"is not an Excel (.xlsx) workbook" in response.content
    assert not JobRun.objects.exists()


def test_oversize_upload_is_refused(client, admin_user, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 50
    client.force_login(admin_user)
    response = post(client, [SimpleUploadedFile("sales.csv", b"date,store\n" * 20)])
    assert response.status_code == 400
    assert b"the upload limit is" in response.content
    assert not JobRun.objects.exists()
