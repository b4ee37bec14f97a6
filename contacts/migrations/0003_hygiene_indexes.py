from django.db import migrations

from crm.migration_ops import PostgresOnlySQL


class Migration(migrations.Migration):
    """Postgres-only indexes for the hygiene pages at 100,000 people.

    "No way to reach them" anti-joins every living person with their usable phones,
    emails and mailing addresses (contacts/reachability.py). These partial indexes let
    Postgres read all four sides from indexes alone, and probe one person's channels by
    contact_id. ``account_id`` is included because row-level security filters on it.
    """

    dependencies = [("contacts", "0002_search_and_calldown_indexes")]

    operations = [
        PostgresOnlySQL(
            "CREATE INDEX contact_living ON contacts_contact (account_id, id) "
            "WHERE deleted_at IS NULL AND deceased_on IS NULL",
            reverse_sql="DROP INDEX IF EXISTS contact_living",
        ),
        PostgresOnlySQL(
            "CREATE INDEX phone_usable ON contacts_phone (contact_id) INCLUDE (account_id) "
            "WHERE status = 'ok'",
            reverse_sql="DROP INDEX IF EXISTS phone_usable",
        ),
        PostgresOnlySQL(
            "CREATE INDEX email_usable ON contacts_email (contact_id) INCLUDE (account_id) "
            "WHERE status = 'ok'",
            reverse_sql="DROP INDEX IF EXISTS email_usable",
        ),
        PostgresOnlySQL(
            "CREATE INDEX address_mailing_ok ON contacts_address (contact_id) "
            "INCLUDE (account_id, street, city, postal_code, state) "
            "WHERE is_mailing AND status = 'ok'",
            reverse_sql="DROP INDEX IF EXISTS address_mailing_ok",
        ),
    ]
