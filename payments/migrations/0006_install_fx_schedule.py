from django.db import migrations

from payments.schedules import install_from_migration


class Migration(migrations.Migration):
    dependencies = [("payments", "0005_fx_rate_once_per_publication")]

    operations = [migrations.RunPython(install_from_migration, migrations.RunPython.noop)]
