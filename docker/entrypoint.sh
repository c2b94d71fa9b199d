#!/usr/bin/env bash
# Entrypoint of the Satu Data Pasuruan CKAN image (docker/Dockerfile).
#
#   web                migrations (one replica at a time), then CKAN under gunicorn on :5000
#   worker [QUEUE...]  background jobs (xloader and others): ckan jobs worker
#   harvest-gather     ckanext-harvest gather consumer
#   harvest-fetch      ckanext-harvest fetch consumer
#                      (these three stop when their health check fails three
#                      times in a row, so the restart policy starts them again)
#   harvest-scheduler  the periodic jobs: `ckan satudata periodic loop` (harvest runs
#                      every SATUDATA_HARVEST_INTERVAL seconds, the sweep of dead
#                      DataStore loads every SATUDATA_SWEEP_INTERVAL, hourly jobs;
#                      the schedule is ckanext/satudata/periodic.py)
#   migrate            migrations and DataStore permissions only, then exit
#   health ROLE        container health check: web, worker, consumer or scheduler
#   anything else      run as given with the rendered config (e.g. `ckan sysadmin add admin`)
#
# The ini files are rendered at every start from config/*.ini.tmpl with
# scripts/render_ini.py, using values from the environment (docker/.env through
# docker-compose.yml). Secrets are never part of the image.
set -euo pipefail

die() { echo "entrypoint: $*" >&2; exit 1; }
info() { echo "entrypoint: $*" >&2; }

# Every ${PLACEHOLDER} of config/base.ini.tmpl, production.ini.tmpl and
# logging.ini.tmpl. docker/check.py reads this list and checks it against the
# templates and docker-compose.yml: each name has a default below or is set in
# the environment of every CKAN service.
INI_VARS=(
  BASE_INI ROOT SITE_ID SITE_URL SECRET_KEY JWT_SECRET
  DB_HOST PG_PORT DB_USER DB_PASSWORD CKAN_DB DATASTORE_DB DS_READ_USER DS_READ_PASSWORD DB_URL_QUERY
  SOLR_URL SOLR_PORT SOLR_CORE REDIS_HOST REDIS_PORT REDIS_DB STORAGE_PATH
  XLOADER_SITE_URL XLOADER_API_TOKEN
  SMTP_SERVER SMTP_FROM SMTP_STARTTLS SMTP_USER SMTP_PASSWORD COOKIE_SECURE
)
# May be empty; every other name needs a value.
ALLOW_EMPTY=" DB_URL_QUERY SMTP_USER SMTP_PASSWORD "

# Defaults for what is not secret and not an address of another service.
: "${ROOT:=/srv/app/satudata}"
: "${BASE_INI:=production-base.ini}"
: "${SITE_ID:=satudata}"
: "${STORAGE_PATH:=/var/lib/ckan}"
: "${PG_PORT:=5432}"
: "${DB_URL_QUERY:=}"
# base.ini.tmpl's solr_url needs these; production.ini.tmpl replaces it with SOLR_URL.
: "${SOLR_PORT:=8983}"
: "${SOLR_CORE:=ckan}"
: "${REDIS_PORT:=6379}"
: "${REDIS_DB:=0}"
# xloader's own "no token yet" value; docs/deploy.md shows how to create the token.
: "${XLOADER_API_TOKEN:=NOT_SET}"
: "${SMTP_SERVER:=localhost:25}"
: "${SMTP_FROM:=Satu Data Pasuruan <no-reply@satudata.pasuruankab.go.id>}"
: "${SMTP_STARTTLS:=true}"
: "${SMTP_USER:=}"
: "${SMTP_PASSWORD:=}"
: "${COOKIE_SECURE:=true}"
# Process settings (not in the ini)
: "${WEB_WORKERS:=3}"
: "${WEB_THREADS:=4}"
: "${WEB_TIMEOUT:=120}"
: "${SATUDATA_HARVEST_INTERVAL:=300}"
: "${SATUDATA_SWEEP_INTERVAL:=60}"
: "${SATUDATA_WATCHDOG_INTERVAL:=60}"
export "${INI_VARS[@]}" WEB_WORKERS WEB_THREADS WEB_TIMEOUT SATUDATA_HARVEST_INTERVAL \
  SATUDATA_SWEEP_INTERVAL SATUDATA_WATCHDOG_INTERVAL

# Set by docker/Dockerfile; the ini holds secrets, so it stays inside the container.
: "${CKAN_INI:=/srv/app/run/production.ini}"
export CKAN_INI
CONF_DIR=$(dirname "$CKAN_INI")
HEARTBEAT=$CONF_DIR/harvest-scheduler.heartbeat

# check_settings: refuse to start with missing, placeholder or unsafe values.
check_settings() {
  local name value problems=()
  for name in "${INI_VARS[@]}"; do
    value=${!name-}
    if [ -z "$value" ] && [[ $ALLOW_EMPTY != *" $name "* ]]; then
      problems+=("$name is not set")
    fi
    # The ini is read with ConfigParser interpolation, where % is special.
    [[ $value != *%* ]] || problems+=("$name must not contain '%'")
  done
  for name in SECRET_KEY JWT_SECRET DB_PASSWORD DS_READ_PASSWORD; do
    value=${!name-}
    if [ "$value" = CHANGE_ME ] || [ ${#value} -lt 16 ]; then
      problems+=("$name is still a placeholder or too short (use: openssl rand -hex 32)")
    fi
  done
  # These go into database URLs unescaped.
  for name in DB_USER DB_PASSWORD DS_READ_USER DS_READ_PASSWORD; do
    [[ ${!name-} =~ ^[A-Za-z0-9._~-]*$ ]] \
      || problems+=("$name may only use letters, digits and . _ ~ - (it is part of a URL)")
  done
  if [ ${#problems[@]} -gt 0 ]; then
    printf 'entrypoint: %s\n' "${problems[@]}" >&2
    die "fix docker/.env (see docker/.env.example) and start again"
  fi
  [ "$XLOADER_API_TOKEN" != NOT_SET ] \
    || info "XLOADER_API_TOKEN is NOT_SET: uploads are not loaded into the DataStore until it is (docs/deploy.md)"
}

render_config() {
  python3 "$ROOT/scripts/render_ini.py" "$CONF_DIR/$BASE_INI" "$ROOT/config/base.ini.tmpl" \
    || die "could not render $CONF_DIR/$BASE_INI"
  python3 "$ROOT/scripts/render_ini.py" "$CKAN_INI" \
    "$ROOT/config/production.ini.tmpl" "$ROOT/config/logging.ini.tmpl" \
    || die "could not render $CKAN_INI"
}

# with_migration_lock COMMAND...: run COMMAND while holding a PostgreSQL advisory
# lock, so web replicas started together migrate one after the other.
with_migration_lock() {
  SATUDATA_DB_URL="postgresql://${DB_USER}:${DB_PASSWORD}@${DB_HOST}:${PG_PORT}/${CKAN_DB}${DB_URL_QUERY}" \
    python3 - "$@" <<'PY'
import os
import subprocess
import sys

import psycopg2

MIGRATION_LOCK = 0x5A7D_DA7A  # any constant shared by every container of this image

conn = psycopg2.connect(os.environ["SATUDATA_DB_URL"], connect_timeout=30)
conn.autocommit = True
with conn.cursor() as cur:
    cur.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
try:
    code = subprocess.call(sys.argv[1:])
finally:
    conn.close()  # ending the session releases the lock
sys.exit(code)
PY
}

# migrate: CKAN core and plugin migrations (`ckan db init` is `db upgrade` for
# both), then the DataStore permissions when a PostgreSQL superuser URL is given.
migrate() {
  info "database migrations"
  # shellcheck disable=SC2016  # expanded by the inner bash
  with_migration_lock bash -c 'set -euo pipefail
    ckan -c "$CKAN_INI" db init
    if [ -n "${DATASTORE_SUPERUSER_URL:-}" ]; then
      echo "entrypoint: DataStore permissions" >&2
      ckan -c "$CKAN_INI" datastore set-permissions \
        | psql -X -q -v ON_ERROR_STOP=1 "$DATASTORE_SUPERUSER_URL"
    else
      echo "entrypoint: DATASTORE_SUPERUSER_URL is not set; apply" \
        "\`ckan datastore set-permissions\` yourself (docs/deploy.md)" >&2
    fi' || die "migrations failed"
}

# watched ROLE COMMAND...: run COMMAND and stop it when `health ROLE` fails three
# times in a row (checked every SATUDATA_WATCHDOG_INTERVAL seconds), so the
# restart policy starts the container again: Docker only marks a container
# unhealthy, and a consumer blocked on a Redis connection that is gone (Redis
# restarted, a network cut) would otherwise wait forever.
watched() {
  local role=$1 child dog rc=0
  shift
  "$@" &
  child=$!
  trap 'kill -TERM "$child" 2>/dev/null || true' TERM INT
  (
    trap - TERM INT
    failures=0
    while sleep "$SATUDATA_WATCHDOG_INTERVAL"; do
      if health "$role" >/dev/null 2>&1; then failures=0; else failures=$((failures + 1)); fi
      if [ "$failures" -ge 3 ]; then
        echo "$(date -Is) watchdog: health check '$role' failed 3 times; stopping $1" >&2
        kill -TERM "$child" 2>/dev/null || true
        sleep 30
        kill -KILL "$child" 2>/dev/null || true
        exit 0
      fi
    done
  ) &
  dog=$!
  while kill -0 "$child" 2>/dev/null; do
    rc=0
    wait "$child" || rc=$?
  done
  kill "$dog" 2>/dev/null || true
  exit "$rc"
}

# health ROLE: exit 0 when the container does its job (compose health checks).
health() {
  case "${1:-}" in
    web)
      # CKAN answers its API (status_show needs the database and plugins loaded).
      python3 - <<'PY'
import json
import sys
import urllib.request

url = "http://127.0.0.1:5000/api/3/action/status_show"
with urllib.request.urlopen(url, timeout=10) as resp:
    sys.exit(0 if json.load(resp).get("success") is True else 1)
PY
      ;;
    worker)
      # The RQ worker of this container is registered (and heartbeating) in Redis.
      python3 - <<'PY'
import os
import socket
import sys

import redis
import rq

conn = redis.Redis(host=os.environ["REDIS_HOST"], port=int(os.environ["REDIS_PORT"]),
                   db=int(os.environ["REDIS_DB"]), socket_timeout=5)
me = socket.gethostname()
sys.exit(0 if any(w.hostname == me for w in rq.Worker.all(connection=conn)) else 1)
PY
      ;;
    consumer)
      # Harvest consumers block on a Redis queue: Redis answers AND still holds a
      # connection of this container on our database. A consumer whose connection
      # Redis lost (restart, network cut) waits forever on a dead socket.
      python3 - <<'PY'
import os
import sys

import redis

db = int(os.environ["REDIS_DB"])
conn = redis.Redis(host=os.environ["REDIS_HOST"], port=int(os.environ["REDIS_PORT"]),
                   db=db, socket_timeout=5, client_name="satudata-health")
me = conn.client_info()
host = me["addr"].rsplit(":", 1)[0]
consumers = [c for c in conn.client_list()
             if c["addr"].rsplit(":", 1)[0] == host and int(c["db"]) == db
             and c.get("name") != "satudata-health"]
sys.exit(0 if consumers else 1)
PY
      ;;
    scheduler)
      # The last successful harvest run is recent (two intervals plus slack).
      HEARTBEAT=$HEARTBEAT python3 - <<'PY'
import os
import sys
import time

path = os.environ["HEARTBEAT"]
limit = 2 * int(os.environ["SATUDATA_HARVEST_INTERVAL"]) + 600
sys.exit(0 if os.path.exists(path) and time.time() - os.path.getmtime(path) < limit else 1)
PY
      ;;
    *)
      echo "health: unknown role '${1:-}' (web, worker, consumer, scheduler)" >&2
      return 2
      ;;
  esac
}

cmd=${1:-web}
[ $# -eq 0 ] || shift

# Health checks run often and must not render files or touch the database.
if [ "$cmd" = health ]; then
  health "$@"
  exit $?
fi

check_settings
render_config

case "$cmd" in
  web)
    # SATUDATA_MIGRATE=false skips migrations (e.g. when a release job runs them).
    [ "${SATUDATA_MIGRATE:-true}" != true ] || migrate
    info "starting gunicorn: $WEB_WORKERS workers x $WEB_THREADS threads"
    # nginx is the only client; trust its X-Forwarded-Proto so CKAN sees HTTPS.
    # keep-alive above nginx's upstream keepalive_timeout (60s) avoids races.
    exec gunicorn --chdir "$ROOT/config" --bind 0.0.0.0:5000 \
      --workers "$WEB_WORKERS" --threads "$WEB_THREADS" --timeout "$WEB_TIMEOUT" \
      --keep-alive 75 --forwarded-allow-ips '*' \
      --access-logfile - --error-logfile - wsgi:application
    ;;
  worker)
    watched worker ckan -c "$CKAN_INI" jobs worker "${@:-default}"
    ;;
  harvest-gather)
    watched consumer ckan -c "$CKAN_INI" harvester gather-consumer
    ;;
  harvest-fetch)
    watched consumer ckan -c "$CKAN_INI" harvester fetch-consumer
    ;;
  harvest-scheduler)
    # The heartbeat file is touched after each successful harvest run (`health scheduler`).
    exec ckan -c "$CKAN_INI" satudata periodic loop --heartbeat "$HEARTBEAT"
    ;;
  migrate)
    migrate
    ;;
  *)
    exec "$cmd" "$@"
    ;;
esac
