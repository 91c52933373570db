"""Admins reach the forecast schedules in Django admin; other roles do not."""

from django.contrib.auth.models import Group, User

from accounts.models import Role
from accounts.services import user_create
from demo.services import demo_users_ensure

SCHEDULES = "/django-admin/django_celery_beat/periodictask/"


def test_role_groups_exist_with_schedule_rights_for_admins(db):
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)
    rights = Group.objects.get(name="admin").permissions.values_list("codename", flat=True)
    assert "change_periodictask" in rights
    assert not Group.objects.get(name="planner").permissions.exists()


def test_admin_made_in_the_app_edits_schedules_and_a_planner_cannot(client, admin_user):
    admin = user_create(username="ops", role=Role.ADMIN, password="a-long-enough-secret-9")
    planner = user_create(username="plan", role=Role.PLANNER, password="a-long-enough-secret-9")
    client.force_login(admin)
    response = client.get(SCHEDULES)
    assert response.status_code == 200
    assert "Forecast: daily refresh" in response.content.decode()
    client.force_login(planner)
    assert client.get(SCHEDULES).status_code == 302


def test_demo_admin_is_staff(db):
    demo_users_ensure()
    assert User.objects.get(username="admin").is_staff
    assert not User.objects.get(username="planner").is_staff
