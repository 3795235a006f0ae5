from django.db import migrations


def install(apps, schema_editor):
    from payments.schedules import install as install_schedules

    install_schedules(apps.get_model("django_q", "Schedule"))


class Migration(migrations.Migration):
    dependencies = [("payments", "0002_ledger_triggers"), ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
