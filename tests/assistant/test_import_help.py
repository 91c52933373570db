"""Import help: an unknown file is profiled, a mapping to the sop format proposed, nothing is
written before the user confirms, and the confirmed import validates as every import does."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assistant.import_help import (
    ImportHelpError,
    file_profile,
    import_help_upload,
    mapping_proposed,
    uploaded_file,
)
from history.models import SalesFact
from imports.services import IMPORT_KIND
from jobs.models import JobRun, JobStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

POS_EXPORT = (
    "Day;Shop;Item;Units;Promo\n"
    "03.03.2025;N1;COLA;4;no\n"
    "04.03.2025;N1;COLA;6;yes\n"
    "05.03.2025;S1;CHIPS;2;no\n"
)


def _upload(content: str = POS_EXPORT, name: str = "pos_export.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode(), content_type="text/csv")


def test_the_profile_reads_types_examples_and_dates(admin_user):
    token = import_help_upload(user=admin_user, upload=_upload())

    profile = file_profile(path=uploaded_file(user=admin_user, token=token))

    columns = {c.name: c for c in profile.columns}
    assert profile.rows == 3
    assert {name: c.kind for name, c in columns.items()} == {
        "Day": "date",
        "Shop": "text",
        "Item": "text",
        "Units": "integer",
        "Promo": "bool",
    }
    assert columns["Day"].date_format == "dmy_dot"
    assert profile.date_range == ("2025-03-03", "2025-03-05")
    assert columns["Shop"].examples == ("N1", "S1")
    assert columns["Units"].distinct == 3


def test_the_proposal_maps_the_file_to_sales(admin_user):
    token = import_help_upload(user=admin_user, upload=_upload())

    proposal = mapping_proposed(file_profile(path=uploaded_file(user=admin_user, token=token)))

    assert proposal.kind == "sales"
    assert proposal.date_format == "dmy_dot"
    assert {k: v for k, v in proposal.mapping.items() if v} == {
        "date": "Day",
        "store": "Shop",
        "sku": "Item",
        "quantity": "Units",
        "on_promotion": "Promo",
    }


def test_a_master_data_file_is_proposed_as_its_kind(admin_user):
    content = "Store ID,Name,Region,Format\nN9,Harbour,NORTH,mall\n"
    token = import_help_upload(user=admin_user, upload=_upload(content, "shops.csv"))

    proposal = mapping_proposed(file_profile(path=uploaded_file(user=admin_user, token=token)))

    assert proposal.kind == "stores"
    assert proposal.mapping["name"] == "Name" and proposal.mapping["region"] == "Region"


def test_another_users_upload_is_not_found(admin_user):
    token = import_help_upload(user=admin_user, upload=_upload())
    other = UserFactory(username="admin2", role="admin")

    with pytest.raises(ImportHelpError, match="unknown"):
        uploaded_file(user=other, token=token)
    with pytest.raises(ImportHelpError, match="unknown"):
        uploaded_file(user=admin_user, token="../../etc")


def test_nothing_is_written_until_the_mapping_is_confirmed(client, admin_user, scoped_world):
    client.force_login(admin_user)

    uploaded = client.post(reverse("assistant:import_help"), {"file": _upload()})
    page = client.get(uploaded["Location"])

    assert uploaded.status_code == 302
    html = page.content.decode()
    assert "2025-03-03" in html and "2025-03-05" in html
    assert '<option value="Day" selected>' in html
    assert "(proposed)" in html
    assert not SalesFact.objects.exists()
    assert not JobRun.objects.filter(kind=IMPORT_KIND).exists()


def _confirm(client, location: str, **changes):
    data = {
        "confirm": "1",
        "kind": "sales",
        "date_format": "dmy_dot",
        "map_date": "Day",
        "map_store": "Shop",
        "map_sku": "Item",
        "map_quantity": "Units",
        "map_on_promotion": "Promo",
    }
    data.update(changes)
    return client.post(location, data)


def test_the_confirmed_mapping_imports_with_iso_dates(client, admin_user, scoped_world):
    client.force_login(admin_user)
    location = client.post(reverse("assistant:import_help"), {"file": _upload()})["Location"]

    response = _confirm(client, location)

    job = JobRun.objects.get(kind=IMPORT_KIND)
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == JobStatus.SUCCEEDED, job.error
    facts = SalesFact.objects.order_by("date").values_list("date", "store__code", "quantity")
    assert [(d.isoformat(), s, q) for d, s, q in facts] == [
        ("2025-03-03", "N1", 4.0),
        ("2025-03-04", "N1", 6.0),
        ("2025-03-05", "S1", 2.0),
    ]
    assert SalesFact.objects.filter(on_promotion=True).count() == 1


def test_one_bad_row_writes_nothing(client, admin_user, scoped_world):
    client.force_login(admin_user)
    content = POS_EXPORT + "06.03.2025;N1;COLA;-3;no\n"
    location = client.post(reverse("assistant:import_help"), {"file": _upload(content)})["Location"]

    _confirm(client, location)

    job = JobRun.objects.get(kind=IMPORT_KIND)
    assert job.status == JobStatus.FAILED
    assert not SalesFact.objects.exists()


def test_a_required_field_left_unmapped_is_refused(client, admin_user, scoped_world):
    client.force_login(admin_user)
    location = client.post(reverse("assistant:import_help"), {"file": _upload()})["Location"]

    response = _confirm(client, location, map_sku="")

    assert response.status_code == 400
    assert "A sales table needs the column(s) sku" in response.content.decode()
    assert not JobRun.objects.filter(kind=IMPORT_KIND).exists()


def test_one_column_cannot_fill_two_fields(client, admin_user, scoped_world):
    client.force_login(admin_user)
    location = client.post(reverse("assistant:import_help"), {"file": _upload()})["Location"]

    response = _confirm(client, location, map_revenue="Units")

    assert response.status_code == 400
    assert "mapped to two fields" in response.content.decode()


def test_the_upload_size_is_bounded(client, admin_user, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 20
    client.force_login(admin_user)

    response = client.post(reverse("assistant:import_help"), {"file": _upload()})

    assert response.status_code == 400
    assert not JobRun.objects.exists()


def test_other_file_types_are_refused(client, admin_user):
    client.force_login(admin_user)

    response = client.post(reverse("assistant:import_help"), {"file": _upload("x", "notes.txt")})

    assert response.status_code == 400
    assert "Upload a .csv, .csv.gz or .xlsx file." in response.content.decode()
