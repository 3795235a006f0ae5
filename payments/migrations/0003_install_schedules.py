from django.db import migrations

from payments.schedules import install_from_migration


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0002_ledger_triggers"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(install_from_migration, migrations.RunPython.noop)]
