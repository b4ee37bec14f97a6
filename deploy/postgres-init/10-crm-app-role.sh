#!/usr/bin/env bash
# Run once by the postgres image, as its superuser, when the data volume is first created.
# Creates the role the application connects as and the database it owns.
#
# The role is deliberately NOT a superuser and has NOBYPASSRLS: row-level security (the
# second tenancy wall) binds every role except superusers and BYPASSRLS roles, so with
# either attribute the wall would silently be down. It owns the database, so `migrate`
# (run as this role) can create the tables and install the RLS policies on them.
#
# To change the password later: ALTER ROLE crm_app PASSWORD '...'; this script does not
# run again on an existing volume.
set -euo pipefail

: "${CRM_DB_PASSWORD:?CRM_DB_PASSWORD must be set for the postgres service}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v app_password="$CRM_DB_PASSWORD" <<'SQL'
CREATE ROLE crm_app LOGIN PASSWORD :'app_password'
    NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
CREATE DATABASE crm OWNER crm_app;
SQL

# In PostgreSQL 15 the public schema of a new database belongs to the database owner, so
# crm_app can create its tables there. Other roles may not connect to it at all.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -c "REVOKE CONNECT, TEMPORARY ON DATABASE crm FROM PUBLIC"

