# CKAN: secrets, ini files, databases, site admin, web server and workers.
# shellcheck shell=bash

ensure_secrets() {
  if [ ! -s "$SECRETS" ]; then
    info "generating secrets in $SECRETS"
    (umask 077; python3 - >"$SECRETS.tmp" <<'PY'
import secrets
for key in ("SECRET_KEY", "JWT_SECRET", "DB_PASSWORD", "DS_READ_PASSWORD", "ADMIN_PASSWORD"):
    print(f"{key}={secrets.token_hex(24)}")
PY
    ) && mv "$SECRETS.tmp" "$SECRETS"
  fi
  set -a
  # shellcheck disable=SC1090
  . "$SECRETS"
  set +a
}

# remember_secret KEY VALUE: add or replace one line in the secrets file.
remember_secret() {
  grep -v "^$1=" "$SECRETS" >"$SECRETS.tmp" || true
  echo "$1=$2" >>"$SECRETS.tmp"
  chmod 600 "$SECRETS.tmp"
  mv "$SECRETS.tmp" "$SECRETS"
  export "$1=$2"
}

# ckan_profile ENV: export the settings of one environment (development, test, bench_*).
ckan_profile() {
  export CKAN_ENV=$1 ROOT PG_PORT REDIS_PORT SOLR_PORT CKAN_PORT
  export DB_USER=satudata DS_READ_USER=satudata_datastore_ro
  export SMTP_FROM="Satu Data Pasuruan <no-reply@satudata.pasuruankab.go.id>"
  export SMTP_SERVER=127.0.0.1:${SATUDATA_SMTP_PORT:-10025}
  case $1 in
    development)
      export CKAN_DB=satudata DATASTORE_DB=satudata_datastore SOLR_CORE=ckan REDIS_DB=0
      export SITE_URL=http://127.0.0.1:$CKAN_PORT SITE_ID=satudata ;;
    test*)
      # SATUDATA_TEST_SUFFIX gives a parallel test run its own databases and core.
      export CKAN_DB=satudata_$1 DATASTORE_DB=satudata_datastore_$1 SOLR_CORE=ckan_$1 REDIS_DB=${SATUDATA_TEST_REDIS_DB:-1}
      export SITE_URL=http://127.0.0.1:$TEST_CKAN_PORT SITE_ID=satudata_$1 ;;
    bench_stock|bench_suite)
      REDIS_DB=3; [ "$1" = bench_stock ] && REDIS_DB=2
      export CKAN_DB=$1 DATASTORE_DB=${1}_datastore SOLR_CORE=$1 REDIS_DB
      export SITE_URL=http://127.0.0.1:$CKAN_PORT SITE_ID=$1 ;;
    *) die "unknown environment $1" ;;
  esac
  export XLOADER_SITE_URL=$SITE_URL
  export STORAGE_PATH=$VAR/storage/$1
  export BASE_INI=$1-base.ini
  local token_var=XLOADER_API_TOKEN_${1^^}
  export XLOADER_API_TOKEN=${!token_var:-NOT_SET}
  export CKAN_INI=$VAR/$1.ini
  mkdir -p "$STORAGE_PATH"
}

# ckan_write_config ENV [TEMPLATE]: render var/ENV-base.ini and var/ENV.ini.
ckan_write_config() {
  local env=$1 template=${2:-$ROOT/config/$1.ini.tmpl}
  ckan_profile "$env"
  "$VENV/bin/python" "$ROOT/scripts/render_ini.py" "$VAR/$env-base.ini" "$ROOT/config/base.ini.tmpl" || die "could not write $VAR/$env-base.ini"
  "$VENV/bin/python" "$ROOT/scripts/render_ini.py" "$CKAN_INI" "$template" "$ROOT/config/logging.ini.tmpl" || die "could not write $CKAN_INI"
}

# ckan_init_db ENV [fresh]: databases, roles, migrations, DataStore permissions.
ckan_init_db() {
  ckan_profile "$1"
  ckan_init_roles
  ckan_init_databases "$@"
}

# ckan_init_roles: the PostgreSQL roles every environment shares (run once before
# initialising environments side by side: concurrent ALTER ROLEs of one role fail).
ckan_init_roles() {
  pg_ensure_role "$DB_USER" "$DB_PASSWORD"
  pg_ensure_role "$DS_READ_USER" "$DS_READ_PASSWORD"
}

# ckan_init_databases ENV [fresh]: ckan_init_db once the roles exist.
ckan_init_databases() {
  local env=$1 fresh=${2:-}
  ckan_profile "$env"
  if [ "$fresh" = fresh ]; then
    pg_drop_db "$CKAN_DB"; pg_drop_db "$DATASTORE_DB"
  fi
  pg_ensure_db "$CKAN_DB" "$DB_USER"
  pg_ensure_db "$DATASTORE_DB" "$DB_USER"
  solr_ensure_core "$SOLR_CORE"
  ckan_cli -c "$CKAN_INI" db init >"$LOG_DIR/$env-db-init.log" 2>&1 \
    || fail_service ckan "$LOG_DIR/$env-db-init.log" "database migrations failed"
  if ! { ckan_cli -c "$CKAN_INI" datastore set-permissions >"$VAR/$env-datastore-permissions.sql" \
          2>>"$LOG_DIR/$env-db-init.log" &&
        psql_super -d "$DATASTORE_DB" <"$VAR/$env-datastore-permissions.sql" \
          >>"$LOG_DIR/$env-db-init.log" 2>&1; }; then
    fail_service ckan "$LOG_DIR/$env-db-init.log" "setting DataStore permissions failed"
  fi
  if [ "$fresh" = fresh ]; then
    # New databases: the core (one per environment) must not keep documents of
    # datasets that are gone.
    solr_clear_core "$SOLR_CORE"
  fi
}

# ckan_copy_databases SRC DST: fresh databases of DST as copies of SRC's just-initialised
# ones, and DST's own empty Solr core. A copy takes a moment; migrations and the DataStore
# permissions took 11 s for each test worker.
ckan_copy_databases() {
  local src=$1 dst=$2 src_db src_ds log=$LOG_DIR/$2-db-init.log
  ckan_profile "$src"
  src_db=$CKAN_DB src_ds=$DATASTORE_DB
  ckan_profile "$dst"
  pg_drop_db "$CKAN_DB"; pg_drop_db "$DATASTORE_DB"
  pg_copy_db "$src_db" "$CKAN_DB" "$DB_USER" || fail_service postgresql "$PG_LOG" "copying $src_db failed"
  pg_copy_db "$src_ds" "$DATASTORE_DB" "$DB_USER" || fail_service postgresql "$PG_LOG" "copying $src_ds failed"
  # A copy keeps the grants inside the database, not those on the database itself.
  sed -e "s/\b$src_ds\b/$DATASTORE_DB/g" -e "s/\b$src_db\b/$CKAN_DB/g" \
    "$VAR/$src-datastore-permissions.sql" | psql_super -d "$DATASTORE_DB" >"$log" 2>&1 \
    || fail_service ckan "$log" "setting DataStore permissions failed"
  solr_ensure_core "$SOLR_CORE"
  solr_clear_core "$SOLR_CORE"
}

# ckan_site_admin ENV: the `admin` sysadmin and the API token xloader acts with.
ckan_site_admin() {
  local env=$1 token_var log=$LOG_DIR/$1-admin.log token
  ckan_profile "$env"
  token_var=XLOADER_API_TOKEN_${env^^}
  if ! ckan_cli -c "$CKAN_INI" user show admin 2>/dev/null | grep -q "name=admin"; then
    ckan_cli -c "$CKAN_INI" user add admin email=admin@satudata.pasuruankab.go.id \
      password="$ADMIN_PASSWORD" fullname="Administrator Portal" >"$log" 2>&1 \
      || fail_service ckan "$log" "creating the admin user failed"
    ckan_cli -c "$CKAN_INI" sysadmin add admin >>"$log" 2>&1 || fail_service ckan "$log" "making admin a sysadmin failed"
    unset "$token_var"  # a token of an earlier database is worthless now
  fi
  if [ "${!token_var:-NOT_SET}" = NOT_SET ]; then
    token=$(ckan_cli -c "$CKAN_INI" user token add admin xloader 2>>"$log" | tail -n 1 | tr -d '[:space:]')
    [ -n "$token" ] || fail_service ckan "$log" "creating the xloader API token failed"
    remember_secret "$token_var" "$token"
    ckan_write_config "$env"
  fi
}

WEB_PID=$RUN_DIR/web.pid
WORKER_PID=$RUN_DIR/worker.pid
GATHER_PID=$RUN_DIR/harvest-gather.pid
FETCH_PID=$RUN_DIR/harvest-fetch.pid
PERIODIC_PID=$RUN_DIR/periodic.pid

# _spawn NAME PIDFILE LOG COMMAND...: start a background process with its own log.
_spawn() {
  local name=$1 pidfile=$2 log=$3; shift 3
  if pid_alive "$pidfile"; then return 0; fi
  nohup "$@" >>"$log" 2>&1 &
  echo $! >"$pidfile"
  sleep 1
  pid_alive "$pidfile" || fail_service "$name" "$log" "$name exited right after starting"
}

# _supervise NAME PIDFILE LOG COMMAND...: _spawn COMMAND under scripts/supervise.sh,
# which starts it again whenever it dies (e.g. the harvest consumers when Redis
# restarts). PIDFILE holds the supervisor (stop_pidfile stops both), PIDFILE.child
# the command.
_supervise() {
  local name=$1 pidfile=$2 log=$3; shift 3
  SUPERVISE_CHILD_PIDFILE=$pidfile.child \
    _spawn "$name" "$pidfile" "$log" bash "$ROOT/scripts/supervise.sh" "$name" "$@"
}

ckan_workers_start() {
  ckan_profile development
  info "starting the background worker and the harvest consumers (restarted when they die)"
  _supervise worker "$WORKER_PID" "$LOG_DIR/worker.log" "$VENV/bin/ckan" -c "$CKAN_INI" jobs worker default
  _supervise harvest-gather "$GATHER_PID" "$LOG_DIR/harvest-gather.log" "$VENV/bin/ckan" -c "$CKAN_INI" harvester gather-consumer
  _supervise harvest-fetch "$FETCH_PID" "$LOG_DIR/harvest-fetch.log" "$VENV/bin/ckan" -c "$CKAN_INI" harvester fetch-consumer
  # Harvest runs, the loader sweep, reminders, view counts, stale imports and the
  # search index check, on the schedule of ckanext/satudata/periodic.py.
  _supervise periodic "$PERIODIC_PID" "$LOG_DIR/periodic.log" \
    "$VENV/bin/ckan" -c "$CKAN_INI" satudata periodic loop
}

ckan_web_start() {
  ckan_profile development
  if pid_alive "$WEB_PID" && curl -sf "$SITE_URL/api/3/action/status_show" >/dev/null; then return 0; fi
  port_busy "$CKAN_PORT" && fail_port web "$CKAN_PORT"
  info "starting the CKAN web server on $SITE_URL"
  CKAN_INI=$CKAN_INI _spawn web "$WEB_PID" "$LOG_DIR/web.log" \
    "$VENV/bin/gunicorn" --chdir "$ROOT/config" --bind "127.0.0.1:$CKAN_PORT" \
    --workers "${SATUDATA_WEB_WORKERS:-2}" --threads 4 --timeout 120 wsgi:application
  wait_for 120 curl -sf "$SITE_URL/api/3/action/status_show" \
    || fail_service web "$LOG_DIR/web.log" "CKAN does not answer on $SITE_URL"
}

ckan_processes_stop() {
  stop_pidfile "web server" "$WEB_PID"
  stop_pidfile "periodic jobs" "$PERIODIC_PID"
  # Started by a `make run` of before the periodic jobs had one command.
  stop_pidfile "daily jobs" "$RUN_DIR/daily-jobs.pid"
  stop_pidfile "harvest scheduler" "$RUN_DIR/harvest-scheduler.pid"
  stop_pidfile "harvest fetch consumer" "$FETCH_PID"
  stop_pidfile "harvest gather consumer" "$GATHER_PID"
  stop_pidfile "background worker" "$WORKER_PID"
}
