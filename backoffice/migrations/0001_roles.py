"""The console's staff groups (compliance, support, finance, admin) with their permissions, as
listed in backoffice/roles.py. Permissions are created first: on a new database Django would
only create them after the last migration."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_roles(apps, schema_editor):
    from backoffice.roles import install_roles

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    install_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("payments", "0015_staff_permissions"),
        ("compliance", "0011_cases_document_views_history"),
        ("providers", "0004_provider_float"),
        ("accounts", "0002_cache_table"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
