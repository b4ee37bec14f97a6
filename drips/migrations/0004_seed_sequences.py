"""Ready-made sequences for accounts made before sequences existed."""

from django.db import migrations


def seed(apps, schema_editor):
    from drips.library import sequences_seed

    models = (
        apps.get_model("drips", "ContentItem"),
        apps.get_model("drips", "Sequence"),
        apps.get_model("drips", "Step"),
    )
    for account_id in apps.get_model("crm", "Account").objects.values_list("pk", flat=True):
        sequences_seed(account=account_id, models=models)


class Migration(migrations.Migration):
    dependencies = [("drips", "0003_sequences")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
