# PostgreSQL: one cluster under var/pg on 127.0.0.1:$PG_PORT.
# shellcheck shell=bash

# Paths are worked out after installation (a new machine has no `postgres`
# user or binaries before). As root the cluster belongs to the `postgres` user,
# which must be able to reach var/pg; a checkout under a private home directory
# gets its cluster under /var/lib/satudata instead (one per checkout).
pg_init_paths() {
  PG_DIR=${SATUDATA_PG_DIR:-$VAR/pg}
  if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1 \
      && ! runuser -u postgres -- test -x "$VAR" 2>/dev/null; then
    PG_DIR=/var/lib/satudata/$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)/pg
  fi
  PG_DATA=$PG_DIR/data
  PG_SOCKET_DIR=$PG_DIR/socket
  PG_LOG=$LOG_DIR/postgres.log
  [ "$PG_DIR" = "$VAR/pg" ] || PG_LOG=$PG_DIR/postgres.log
  PG_BIN=$(dirname "$(compgen -G '/usr/lib/postgresql/*/bin/postgres' | sort -V | tail -n 1)" 2>/dev/null || true)
}
pg_init_paths

# PostgreSQL refuses to run as root: as root, run it as the `postgres` system user.
_as_pg() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

_pg_owner() { if [ "$(id -u)" = 0 ]; then echo postgres; else id -un; fi; }

psql_super() {
  _as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres "$@"
}

_pg_ready() { _as_pg "$PG_BIN/pg_isready" -q -h "$PG_SOCKET_DIR" -p "$PG_PORT"; }

postgres_start() {
  pg_init_paths
  if [ -z "$PG_BIN" ] || [ "$PG_BIN" = . ]; then
    die "PostgreSQL server binaries not found under /usr/lib/postgresql"
  fi
  mkdir -p "$PG_DIR" "$PG_SOCKET_DIR"
  touch "$PG_LOG"
  if [ "$(id -u)" = 0 ]; then chown -R postgres: "$PG_DIR" "$PG_LOG"; fi
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    # A half-made cluster from a failed run is removed before trying again.
    rm -rf "$PG_DATA"
    info "creating the PostgreSQL cluster in $PG_DATA"
    _as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >>"$PG_LOG" 2>&1 \
      || { rm -rf "$PG_DATA"; fail_service postgresql "$PG_LOG" "initdb failed"; }
  fi
  if _pg_ready; then return 0; fi
  port_busy "$PG_PORT" && fail_port postgresql "$PG_PORT"
  info "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  # SATUDATA_PG_FSYNC=off (the test command's throwaway cluster): no waiting for the
  # disk at each commit; a crash may lose the cluster, which tests recreate anyway.
  local durability="-c fsync=${SATUDATA_PG_FSYNC:-on}"
  if [ "${SATUDATA_PG_FSYNC:-on}" = off ]; then
    durability="$durability -c synchronous_commit=off -c full_page_writes=off"
  fi
  _as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_SOCKET_DIR -c max_connections=200 $durability" \
    >/dev/null 2>&1 || fail_service postgresql "$PG_LOG" "PostgreSQL did not start"
}

postgres_stop() {
  pg_init_paths
  [ -f "$PG_DATA/postmaster.pid" ] || return 0
  _as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 && info "PostgreSQL stopped"
}

# pg_ensure_role NAME PASSWORD: create or update a login role.
pg_ensure_role() {
  psql_super -d postgres -v name="$1" -v pw="$2" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'name') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'name')
\gexec
SELECT format('ALTER ROLE %I WITH LOGIN PASSWORD %L', :'name', :'pw')
\gexec
SQL
}

# pg_ensure_db NAME OWNER: create the database if it does not exist.
pg_ensure_db() {
  psql_super -d postgres -v name="$1" -v owner="$2" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I ENCODING ''UTF8'' TEMPLATE template0', :'name', :'owner')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'name')
\gexec
SQL
}

# pg_copy_db TEMPLATE NAME OWNER: create NAME as a copy of TEMPLATE (which nobody may be
# connected to: a client that just exited may still be leaving, so a few tries).
pg_copy_db() { wait_for 10 _pg_copy_db_once "$@"; }

_pg_copy_db_once() {
  psql_super -d postgres -v template="$1" -v name="$2" -v owner="$3" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I TEMPLATE %I', :'name', :'owner', :'template')
\gexec
SQL
}

# pg_drop_db NAME: drop a database (used for the throw-away test and bench databases).
pg_drop_db() {
  psql_super -d postgres -v name="$1" <<'SQL'
SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', :'name')
\gexec
SQL
}
