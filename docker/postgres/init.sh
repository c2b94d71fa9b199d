#!/bin/bash
# PostgreSQL for Portal Satu Data Kabupaten Pasuruan: the official postgres image
# runs this once, when it initialises an empty data volume
# (/docker-entrypoint-initdb.d/). It creates
#   - DB_USER, owner of the CKAN database CKAN_DB and the DataStore DATASTORE_DB,
#   - DS_READ_USER, a separate login for DataStore reads; it gets no rights here:
#     the CKAN web container applies `ckan datastore set-permissions` at start.
# Values come from docker/.env through docker-compose.yml. Names are quoted with
# format(%I/%L), so nothing from the environment is pasted into SQL unescaped.
set -euo pipefail

for name in DB_USER DB_PASSWORD CKAN_DB DATASTORE_DB DS_READ_USER DS_READ_PASSWORD; do
  if [ -z "${!name:-}" ]; then
    echo "init.sh: $name is not set (docker/.env)" >&2
    false
  fi
done

psql -X -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
  -v ckan_user="$DB_USER" -v ckan_password="$DB_PASSWORD" \
  -v ro_user="$DS_READ_USER" -v ro_password="$DS_READ_PASSWORD" \
  -v ckan_db="$CKAN_DB" -v datastore_db="$DATASTORE_DB" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'ckan_user', :'ckan_password')
\gexec
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'ro_user', :'ro_password')
\gexec
SELECT format('CREATE DATABASE %I OWNER %I ENCODING ''UTF8'' TEMPLATE template0', :'ckan_db', :'ckan_user')
\gexec
SELECT format('CREATE DATABASE %I OWNER %I ENCODING ''UTF8'' TEMPLATE template0', :'datastore_db', :'ckan_user')
\gexec
-- Only its owner (and superusers) may connect to the CKAN database: the
-- read-only DataStore login has no business there.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'ckan_db')
\gexec
SQL
