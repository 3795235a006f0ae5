from django.db import migrations

from compliance.rules import install_default_rules


def create_rules(apps, schema_editor):
    install_default_rules(apps.get_model("compliance", "MonitoringRule"))


class Migration(migrations.Migration):
    dependencies = [("compliance", "0009_install_gdpr_schedule")]

    operations = [migrations.RunPython(create_rules, migrations.RunPython.noop)]
