"""The one recording mechanism: every change of an audited model, through a page, a job or a
command, is one entry with before/after, the actor and the request id of its context."""

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from accounts.models import Role
from audit.context import audit_context
from audit.models import AuditEntry
from jobs.models import JobLimit
from jobs.services import job_create, job_execute
from masterdata.models import Store
from masterdata.services import store_update
from tests.factories import StoreFactory, UserFactory
from tests.imports.helpers import write_csv

STORE_FORM = {"name": "Northgate", "store_format": "hyper", "floor_area_m2": "5200"}


def test_a_store_edit_on_its_page_records_before_after_actor_and_request_id(client, admin_user):
    store = StoreFactory(code="N1", name="Store N1", floor_area_m2=1800)
    client.force_login(admin_user)
    url = reverse("masterdata:store_edit", args=[store.pk])
    version = client.get(url).context["form"].initial["version"]
    response = client.post(
        url,
        {**STORE_FORM, "region": store.region_id, "version": version},
        HTTP_X_REQUEST_ID="edit-store-1",
    )
    assert response.status_code == 302
    assert response["X-Request-ID"] == "edit-store-1"
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_type, entry.object_id) == ("update", "store", str(store.pk))
    assert (entry.user, entry.username, entry.request_id) == (admin_user, "admin", "edit-store-1")
    assert entry.object_repr == "N1 Northgate"
    assert (entry.before["name"], entry.after["name"]) == ("Store N1", "Northgate")
    assert (entry.before["floor_area_m2"], entry.after["floor_area_m2"]) == (1800, 5200)
    assert entry.before["region"] == entry.after["region"] == store.region_id


def test_a_change_made_by_a_job_records_the_jobs_creator(planner):
    store = StoreFactory(code="N2", name="Old name")
    job = job_create(kind="audit_test", user=planner)

    def work(job_run, progress):
        store_update(store=store, changes={"name": "New name"})

    job = job_execute(job_id=job.pk, work=work)
    assert job.status == "succeeded", job.error
    entry = AuditEntry.objects.get()
    assert (entry.username, entry.request_id) == ("planner", f"job-{job.pk}")
    assert (entry.before["name"], entry.after["name"]) == ("Old name", "New name")


def test_a_password_change_on_the_user_page_records_changed_not_the_hash(client, admin_user):
    user = UserFactory(username="gina", role=Role.PLANNER)
    old_hash = user.password
    client.force_login(admin_user)
    url = reverse("accounts:user_edit", args=[user.pk])
    version = client.get(url).context["form"].initial["version"]
    client.post(
        url,
        {
            "version": version,
            "role": "planner",
            "is_active": "on",
            "password1": "new-sturdy-Passphrase-5",
            "password2": "new-sturdy-Passphrase-5",
        },
    )
    user.refresh_from_db()
    entries = AuditEntry.objects.filter(object_type="user", object_repr="gina")
    entry = next(e for e in entries if "password" in e.after)
    assert entry.username == "admin" and entry.after["password"] == "changed"
    assert "password" not in entry.before
    recorded = str([(e.before, e.after) for e in entries])
    for secret in ("new-sturdy-Passphrase-5", user.password, old_hash):
        assert secret not in recorded


def test_a_delete_records_what_was_deleted(client, admin_user):
    JobLimit.objects.create(kind="import", time_limit_s=60, memory_limit_mb=256)
    client.force_login(admin_user)
    client.post(reverse("jobs:limits"), {"reset": "import"})
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_type, entry.username) == ("delete", "job_limit", "admin")
    assert entry.before == {"kind": "import", "time_limit_s": 60, "memory_limit_mb": 256}
    assert entry.after is None


def test_a_rejected_import_is_recorded_with_who_tried_and_nothing_written(tmp_path, planner):
    StoreFactory(code="S1")
    path = write_csv(
        tmp_path, "sales.csv", "date,store,sku,quantity\n2024-01-01,S1,NOPE,3\n2024-13-01,S1,A,1\n"
    )
    with pytest.raises(SystemExit):
        call_command("import_data", str(path), "--format", "sop", "--user", "planner")
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_type, entry.username) == (
        "import_rejected",
        "import",
        "planner",
    )
    assert entry.request_id == f"job-{entry.object_id}"
    assert entry.after["format"] == "sop" and entry.after["files"] == ["sales.csv"]
    assert entry.after["problems"] >= 2 and entry.after["rows_written"] == 0


def test_changes_outside_any_context_are_not_recorded(admin_user):
    # Migrations, fixtures and test factories act on nobody's behalf.
    store = StoreFactory(code="N3")
    store_update(store=store, changes={"name": "Quiet"})
    assert not AuditEntry.objects.exists()
    with audit_context(actor=admin_user):
        store_update(store=store, changes={"name": "Recorded"})
    assert AuditEntry.objects.get().username == "admin"


def test_saving_unchanged_or_unrecorded_fields_writes_nothing(admin_user):
    store = StoreFactory(code="N4", name="Same")
    with audit_context(actor=admin_user):
        store_update(store=store, changes={"name": "Same"})
        admin_user.save(update_fields=["last_login"])
    assert not AuditEntry.objects.exists()


def test_a_change_rolled_back_leaves_no_entry(admin_user):
    store = StoreFactory(code="N5", name="Kept")
    with audit_context(actor=admin_user), pytest.raises(RuntimeError), transaction.atomic():
        store_update(store=store, changes={"name": "Gone"})
        assert AuditEntry.objects.exists()
        raise RuntimeError("the rest of the change failed")
    assert Store.objects.get(pk=store.pk).name == "Kept"
    assert not AuditEntry.objects.exists()


def test_a_schedule_change_is_recorded_with_values_json_cannot_hold_as_text(admin_user):
    crontab = CrontabSchedule.objects.create(minute="0", hour="4", timezone="Europe/Paris")
    task = PeriodicTask.objects.create(name="nightly", task="noop", crontab=crontab)
    with audit_context(actor=admin_user):
        crontab.hour = "5"
        crontab.save()
        task.enabled = False
        task.save()
    entries = {e.object_type: e for e in AuditEntry.objects.all()}
    assert (entries["crontab"].before["hour"], entries["crontab"].after["hour"]) == ("4", "5")
    assert entries["crontab"].after["timezone"] == "Europe/Paris"
    assert entries["schedule"].after["enabled"] is False
