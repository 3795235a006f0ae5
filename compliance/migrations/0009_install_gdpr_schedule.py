from django.db import migrations

from payments.schedules import install_from_migration


class Migration(migrations.Migration):
    dependencies = [("compliance", "0008_gdpr")]

    operations = [migrations.RunPython(install_from_migration, migrations.RunPython.noop)]
