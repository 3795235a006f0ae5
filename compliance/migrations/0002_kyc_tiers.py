from django.db import migrations

from compliance.tiers import install_default_tiers


def create_tiers(apps, schema_editor):
    install_default_tiers(apps.get_model("compliance", "KycTier"))


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_kyc")]

    operations = [migrations.RunPython(create_tiers, migrations.RunPython.noop)]
