from django.db import migrations

from crm.migration_ops import PostgresOnlySQL


class Migration(migrations.Migration):
    """Postgres-only indexes.

    - Trigram: a search by any fragment of a name, email, phone or street stays fast at
      100,000 people. pg_trgm is a trusted extension: the database owner (the app's
      role) may create it.
    - Call-down order is "never contacted first" (NULLS FIRST), which SQLite cannot put
      in an index; its plain ascending order already sorts NULLs first.
    """

    dependencies = [("contacts", "0001_initial")]

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
        PostgresOnlySQL(
            "CREATE INDEX contact_calldown ON contacts_contact "
            "(account_id, database, last_contacted_at ASC NULLS FIRST, id) "
            "WHERE deleted_at IS NULL",
            reverse_sql="DROP INDEX IF EXISTS contact_calldown",
        ),
        PostgresOnlySQL(
            "CREATE INDEX contact_calldown_all ON contacts_contact "
            "(account_id, last_contacted_at ASC NULLS FIRST, id) "
            "WHERE deleted_at IS NULL",
            reverse_sql="DROP INDEX IF EXISTS contact_calldown_all",
        ),
    ]
