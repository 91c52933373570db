"""The three role groups, and the admin group's rights in Django admin over schedules."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = ("planner", "admin", "executive")
ADMIN_MODELS = ("periodictask", "crontabschedule", "intervalschedule", "clockedschedule")


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now to grant them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role in ROLES:
        Group.objects.get_or_create(name=role)
    admin = Group.objects.get(name="admin")
    admin.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="django_celery_beat", content_type__model__in=ADMIN_MODELS
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
