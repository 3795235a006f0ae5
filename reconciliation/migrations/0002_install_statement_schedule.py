from django.db import migrations

from payments.schedules import install_from_migration


class Migration(migrations.Migration):
    dependencies = [("reconciliation", "0001_statements"), ("django_q", "0018_task_success_index")]

    operations = [migrations.RunPython(install_from_migration, migrations.RunPython.noop)]
