"""The audit log: written in the caller's transaction, append-only, filterable, read-only admin."""

import datetime as dt
import decimal

import pytest
from django.contrib.admin.sites import site
from django.db import transaction
from django.test import RequestFactory
from django.urls import reverse

from audit.context import audit_context
from audit.models import AuditEntry
from audit.services import audit_record
from tests.factories import UserFactory


def test_record_copies_username_and_serialises_values(admin_user):
    with audit_context(actor=admin_user, request_id="req-42"):
        entry = audit_record(
            action="update",
            obj_type="sku",
            obj_id=7,
            obj_repr="COLA",
            before={"price": decimal.Decimal("1.50")},
            after={"launched_on": dt.date(2025, 1, 2)},
        )
    entry.refresh_from_db()
    assert (entry.username, entry.object_id, entry.request_id) == ("admin", "7", "req-42")
    assert entry.before == {"price": "1.50"}
    assert entry.after == {"launched_on": "2025-01-02"}


def test_record_rolls_back_with_the_change(admin_user):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(user=admin_user, action="create", obj_type="user")
        raise RuntimeError("the change failed")
    assert not AuditEntry.objects.exists()


def test_entries_are_append_only(admin_user):
    entry = audit_record(user=admin_user, action="create", obj_type="user")
    entry.action = "tampered"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()


def test_django_admin_is_read_only(admin_user):
    model_admin = site._registry[AuditEntry]
    request = RequestFactory().get("/")
    request.user = admin_user
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_audit_page_filters_by_user_type_and_date(client, admin_user):
    other = UserFactory(username="other")
    audit_record(
        user=admin_user,
        action="update",
        obj_type="store",
        obj_repr="STORE-A",
        before={"name": "Old name"},
        after={"name": "New name"},
    )
    audit_record(user=other, action="create", obj_type="user", obj_repr="USER-B")
    client.force_login(admin_user)
    url = reverse("audit:list")

    page = client.get(url, {"user": "admin"}).content.decode()
    assert "STORE-A" in page and "USER-B" not in page
    assert "Old name" in page and "New name" in page

    page = client.get(url, {"object_type": "user"}).content.decode()
    assert "USER-B" in page and "STORE-A" not in page

    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    page = client.get(url, {"date_from": tomorrow}).content.decode()
    assert "STORE-A" not in page and "USER-B" not in page


def test_audit_page_explains_an_inverted_date_range(client, admin_user):
    client.force_login(admin_user)
    response = client.get(
        reverse("audit:list"), {"date_from": "2025-02-01", "date_to": "2025-01-01"}
    )
    assert "start date is after the end date" in response.content.decode()
