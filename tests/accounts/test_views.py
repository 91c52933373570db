"""Log-in, the users admin pages and the API token page (home pages: tests/dashboards)."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts.models import Role
from accounts.roles import user_roles
from accounts.services import user_version
from audit.models import AuditEntry
from tests.conftest import PASSWORD
from tests.factories import UserFactory


@pytest.mark.parametrize("role", ["planner", "admin_user", "executive"])
def test_login_lands_on_home(client, role, request):
    user = request.getfixturevalue(role)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_admin_creates_user_and_validators_apply(client, admin_user):
    client.force_login(admin_user)
    weak = {"username": "fred", "role": "planner", "password1": "123", "password2": "123"}
    response = client.post(reverse("accounts:user_create"), weak)
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    strong = {
        **weak,
        "password1": "a-sturdy-Passphrase-417",
        "password2": "a-sturdy-Passphrase-417",
        "is_active": "on",
    }
    response = client.post(reverse("accounts:user_create"), strong)
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="create", object_repr="fred").exists()


def test_admin_edits_role_and_resets_password(client, admin_user):
    user = UserFactory(username="gina", role=Role.PLANNER)
    client.force_login(admin_user)
    response = client.post(
        reverse("accounts:user_edit", args=[user.pk]),
        {
            "username": "ignored",
            "role": "executive",
            "is_active": "on",
            "password1": "new-sturdy-Passphrase-5",
            "password2": "new-sturdy-Passphrase-5",
            "version": user_version(user),
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.username == "gina"
    assert user_roles(user) == {Role.EXECUTIVE}
    assert user.check_password("new-sturdy-Passphrase-5")
    changes = AuditEntry.objects.filter(object_repr="gina").values_list("action", "after")
    assert {action for action, _ in changes} == {"update"}
    assert "changed" in [after.get("password") for _, after in changes]


def test_admin_cannot_demote_themselves(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("accounts:user_edit", args=[admin_user.pk]),
        {"role": "planner", "is_active": "on", "version": user_version(admin_user)},
    )
    assert response.status_code == 200
    assert "cannot remove your own admin role" in response.content.decode()
    assert user_roles(admin_user) == {Role.ADMIN}


def test_token_page_shows_and_regenerates_own_token(client, executive):
    client.force_login(executive)
    assert "no API token yet" in client.get(reverse("accounts:token")).content.decode()
    client.post(reverse("accounts:token"))
    key = Token.objects.get(user=executive).key
    assert key in client.get(reverse("accounts:token")).content.decode()


def test_users_page_lists_users_with_scope(client, admin_user, scoped_world):
    client.force_login(admin_user)
    page = client.get(reverse("accounts:users")).content.decode()
    assert "scoped" in page and "NORTH" in page and "DRINKS" in page


def test_a_stale_user_edit_is_refused_and_shows_the_newer_values(admin_user, scoped_world):
    """Two admins edit one planner's scope; the second, stale save changes nothing."""
    planner = scoped_world["scoped_planner"]
    first, second = Client(), Client()
    first.force_login(admin_user)
    second.force_login(UserFactory(username="admin2", role=Role.ADMIN))
    url = reverse("accounts:user_edit", args=[planner.pk])
    version = first.get(url).context["form"].initial["version"]
    base = {"role": "planner", "is_active": "on", "version": version}
    north, south = scoped_world["north"].pk, scoped_world["south"].pk
    assert first.post(url, {**base, "regions": [south]}).status_code == 302
    refused = second.post(url, {**base, "regions": [north], "first_name": "Stale"})
    assert refused.status_code == 409
    assert "someone else saved this user" in refused.content.decode()
    assert refused.context["form"].initial["regions"] == [scoped_world["south"]]
    planner.refresh_from_db()
    assert planner.first_name == ""
    assert list(planner.planning_scope.regions.all()) == [scoped_world["south"]]
