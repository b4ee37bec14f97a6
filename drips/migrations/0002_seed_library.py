"""The seeded content library for accounts made before it existed."""

from django.db import migrations


def seed(apps, schema_editor):
    from drips.library import library_seed

    Account = apps.get_model("crm", "Account")
    ContentItem = apps.get_model("drips", "ContentItem")
    for account_id in Account.objects.values_list("pk", flat=True):
        library_seed(account=account_id, model=ContentItem)


class Migration(migrations.Migration):
    dependencies = [("drips", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
