"""User administration services: role, scope, password and token changes, each audited."""

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token

from accounts import services
from accounts.models import Role
from accounts.roles import user_roles
from audit.models import AuditEntry
from tests.factories import CategoryFactory, RegionFactory, UserFactory


@pytest.fixture
def north(db):
    return RegionFactory(code="NORTH")


def test_user_create_sets_role_scope_and_audits(admin_user, north):
    drinks = CategoryFactory(code="DRINKS")
    user = services.user_create(
        actor=admin_user,
        username="ann",
        password="a-sturdy-Passphrase-417",
        role=Role.PLANNER,
        regions=[north],
        categories=[drinks],
    )
    assert user_roles(user) == {Role.PLANNER}
    assert user.check_password("a-sturdy-Passphrase-417")
    assert list(user.planning_scope.regions.all()) == [north]
    entry = AuditEntry.objects.get(object_type="user", action="create")
    assert entry.username == "admin"
    assert entry.after["scope_regions"] == ["NORTH"]
    assert entry.after["scope_categories"] == ["DRINKS"]
    assert "password" not in entry.after


def test_user_update_records_before_and_after(admin_user, north):
    user = UserFactory(username="bob", role=Role.PLANNER)
    services.user_update(actor=admin_user, user=user, role=Role.EXECUTIVE, is_active=False)
    user.refresh_from_db()
    assert user_roles(user) == set()  # inactive users have no role in effect
    assert set(user.groups.values_list("name", flat=True)) == {Role.EXECUTIVE}
    entry = AuditEntry.objects.get(object_type="user", action="update")
    assert entry.before["role"] == "planner" and entry.after["role"] == "executive"
    assert entry.before["is_active"] is True and entry.after["is_active"] is False


def test_user_update_without_change_writes_no_entry(admin_user):
    user = UserFactory(username="carl", role=Role.EXECUTIVE)
    services.user_update(
        actor=admin_user, user=user, role=Role.EXECUTIVE, email=user.email, is_active=True
    )
    assert not AuditEntry.objects.exists()


def test_role_change_away_from_planner_drops_scope(admin_user, north):
    user = services.user_create(
        actor=admin_user,
        username="dee",
        password="a-sturdy-Passphrase-417",
        role=Role.PLANNER,
        regions=[north],
    )
    services.user_update(actor=admin_user, user=user, role=Role.ADMIN, regions=[north])
    assert not User.objects.filter(pk=user.pk, planning_scope__isnull=False).exists()


def test_password_reset_is_audited_without_the_password(admin_user):
    user = UserFactory(username="eve", role=Role.PLANNER)
    services.user_set_password(actor=admin_user, user=user, password="another-Passphrase-88")
    user.refresh_from_db()
    assert user.check_password("another-Passphrase-88")
    entry = AuditEntry.objects.get(action="password_reset")
    assert "another-Passphrase-88" not in str(entry.after)


def test_token_regenerate_replaces_the_old_token(planner):
    first = services.token_regenerate(user=planner)
    second = services.token_regenerate(user=planner)
    assert first.key != second.key
    assert list(Token.objects.filter(user=planner).values_list("key", flat=True)) == [second.key]
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "token_create",
        "token_regenerate",
    ]
