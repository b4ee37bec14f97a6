from django.db import migrations

from crm.migration_ops import PostgresOnlySQL


class Migration(migrations.Migration):
    """Trigram indexes so a search by any fragment of a name, email, phone or street
    stays fast at 100,000 people. pg_trgm is a trusted extension: the database owner
    (the app's role) may create it."""

    dependencies = [("contacts", "0002_initial")]

    operations = [
        PostgresOnlySQL(
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            reverse_sql=migrations.RunSQL.noop,
        ),
        PostgresOnlySQL(
            "CREATE INDEX contact_search_trgm ON contacts_contact "
            "USING gin (search_text gin_trgm_ops)",
            reverse_sql="DROP INDEX IF EXISTS contact_search_trgm",
        ),
    ]
