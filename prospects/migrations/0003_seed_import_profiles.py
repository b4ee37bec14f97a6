"""The seeded import profiles for accounts made before profiles existed."""

from django.db import migrations


def seed(apps, schema_editor):
    from prospects.import_profiles import SEEDED

    Account = apps.get_model("crm", "Account")
    ImportProfile = apps.get_model("prospects", "ImportProfile")
    # migrate runs past the RLS wall (crm.apps sets the bypass before migrating)
    for account in Account.objects.all():
        names = {
            n.lower()
            for n in ImportProfile.objects.filter(account=account).values_list("name", flat=True)
        }
        ImportProfile.objects.bulk_create(
            [
                ImportProfile(
                    account=account,
                    key=p["key"],
                    name=p["name"],
                    database=p["database"],
                    mapping=p["mapping"],
                )
                for p in SEEDED
                if p["name"].lower() not in names
            ]
        )


class Migration(migrations.Migration):
    dependencies = [("prospects", "0002_import_cancel_and_problems")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
