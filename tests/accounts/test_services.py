"""User administration services: role, scope, password and token changes, each audited.

The services take no actor: who acts comes from the audit context, which a request or a job
sets and these tests set themselves.
"""

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token

from accounts import services
from accounts.models import Role
from accounts.roles import user_roles
from audit.context import audit_context
from audit.models import AuditEntry
from tests.factories import CategoryFactory, RegionFactory, UserFactory


@pytest.fixture
def north(db):
    return RegionFactory(code="NORTH")


@pytest.fixture
def as_admin(admin_user):
    with audit_context(actor=admin_user, request_id="req-test") as context:
        yield context


def test_user_create_sets_role_scope_and_audits(as_admin, north):
    drinks = CategoryFactory(code="DRINKS")
    user = services.user_create(
        username="ann",
        password="a-sturdy-Passphrase-417",
        role=Role.PLANNER,
        regions=[north],
        categories=[drinks],
    )
    assert user_roles(user) == {Role.PLANNER}
    assert user.check_password("a-sturdy-Passphrase-417")
    assert list(user.planning_scope.regions.all()) == [north]
    entries = AuditEntry.objects.order_by("id")
    assert {e.username for e in entries} == {"admin"}
    assert {e.request_id for e in entries} == {"req-test"}
    created = entries.get(object_type="user", action="create")
    assert created.after["username"] == "ann" and created.after["password"] == "changed"
    assert user.password not in str(created.after)
    assert entries.get(object_type="user", action="update").after == {"groups": ["planner"]}
    scope = entries.filter(object_type="planning_scope", action="update")
    assert [e.after for e in scope] == [{"regions": [north.name]}, {"categories": [drinks.name]}]


def test_user_update_records_before_and_after(admin_user):
    user = UserFactory(username="bob", role=Role.PLANNER)
    with audit_context(actor=admin_user):
        services.user_update(user=user, role=Role.EXECUTIVE, is_active=False)
    user.refresh_from_db()
    assert user_roles(user) == set()  # inactive users have no role in effect
    assert set(user.groups.values_list("name", flat=True)) == {Role.EXECUTIVE}
    changes = AuditEntry.objects.filter(object_type="user", action="update").order_by("id")
    fields = next(e for e in changes if "is_active" in e.after)
    assert fields.before["is_active"] is True and fields.after["is_active"] is False
    groups = [(e.before["groups"], e.after["groups"]) for e in changes if "groups" in e.after]
    assert groups == [(["planner"], []), ([], ["executive"])]


def test_user_update_without_change_writes_no_entry(admin_user):
    user = UserFactory(username="carl", role=Role.EXECUTIVE)
    with audit_context(actor=admin_user):
        services.user_update(user=user, role=Role.EXECUTIVE, email=user.email, is_active=True)
    assert not AuditEntry.objects.exists()


def test_role_change_away_from_planner_drops_scope(as_admin, north):
    user = services.user_create(
        username="dee", password="a-sturdy-Passphrase-417", role=Role.PLANNER, regions=[north]
    )
    services.user_update(user=user, role=Role.ADMIN, regions=[north])
    assert not User.objects.filter(pk=user.pk, planning_scope__isnull=False).exists()
    dropped = AuditEntry.objects.get(object_type="planning_scope", action="delete")
    assert dropped.object_repr == "Scope of dee"


def test_password_reset_is_audited_without_the_password_or_its_hash(admin_user):
    user = UserFactory(username="eve", role=Role.PLANNER)
    old_hash = user.password
    with audit_context(actor=admin_user):
        services.user_set_password(user=user, password="another-Passphrase-88")
    user.refresh_from_db()
    assert user.check_password("another-Passphrase-88")
    entry = AuditEntry.objects.get(object_type="user", object_repr="eve")
    assert entry.action == "update" and entry.username == "admin"
    assert entry.after["password"] == "changed" and "password" not in entry.before
    recorded = f"{entry.before} {entry.after} {entry.object_repr}"
    for secret in ("another-Passphrase-88", user.password, old_hash):
        assert secret not in recorded


def test_token_regenerate_replaces_the_old_token(planner):
    with audit_context(actor=planner):
        first = services.token_regenerate(user=planner)
        second = services.token_regenerate(user=planner)
    assert first.key != second.key
    assert list(Token.objects.filter(user=planner).values_list("key", flat=True)) == [second.key]
    entries = AuditEntry.objects.filter(object_type="api_token").order_by("id")
    assert [e.action for e in entries] == ["create", "delete", "create"]
    assert {(e.object_id, e.object_repr) for e in entries} == {(str(planner.pk), "planner")}
    recorded = str([(e.before, e.after) for e in entries])
    assert first.key not in recorded and second.key not in recorded
