from django.db import migrations

from payments.schedules import install_from_migration


class Migration(migrations.Migration):
    dependencies = [("compliance", "0006_monitoring_rules"), ("payments", "0012_customer_birth_date_nationality")]

    operations = [migrations.RunPython(install_from_migration, migrations.RunPython.noop)]
