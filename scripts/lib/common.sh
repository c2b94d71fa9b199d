# Shared settings and helpers for the portal scripts. Sourced, never run.
# shellcheck shell=bash
# The settings below are read by the other libraries and scripts/portal.
# shellcheck disable=SC2034

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VAR=${SATUDATA_VAR:-$ROOT/var}
LOG_DIR=$VAR/log
RUN_DIR=$VAR/run
VENV=$VAR/venv
SECRETS=$VAR/secrets.env

# Project-specific ports, all bound to 127.0.0.1.
PG_PORT=${SATUDATA_PG_PORT:-15432}
REDIS_PORT=${SATUDATA_REDIS_PORT:-16379}
SOLR_PORT=${SATUDATA_SOLR_PORT:-18983}
CKAN_PORT=${SATUDATA_CKAN_PORT:-5000}
# The test suite's live CKAN server (xloader downloads uploads over HTTP).
TEST_CKAN_PORT=${SATUDATA_TEST_CKAN_PORT:-15001}

PY_VERSION=3.11

mkdir -p "$LOG_DIR" "$RUN_DIR"

info() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
warn() { printf '\033[1;33m!!\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31mERROR:\033[0m %s\n' "$*" >&2; exit 1; }

# fail_service NAME LOGFILE MESSAGE: stop with a message naming the service and its log.
fail_service() {
  local name=$1 log=$2; shift 2
  printf '\033[1;31mERROR [%s]:\033[0m %s\n' "$name" "$*" >&2
  if [ -f "$log" ]; then
    printf '  log: %s (last lines below)\n' "$log" >&2
    tail -n 15 "$log" | sed 's/^/  | /' >&2
  fi
  exit 1
}

# fail_port NAME PORT: stop because another program listens on our port.
fail_port() {
  local owner=""
  command -v ss >/dev/null && owner=$(ss -ltnpH "sport = :$2" 2>/dev/null | grep -o 'users:(([^)]*))' | head -n 1)
  printf '\033[1;31mERROR [%s]:\033[0m port %s on 127.0.0.1 is already taken by another program %s\n' "$1" "$2" "$owner" >&2
  printf '  stop that program, or choose another port (see README.md, "SATUDATA_*_PORT")\n' >&2
  exit 1
}

# port_busy PORT: true when something listens on 127.0.0.1:PORT.
port_busy() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# pid_alive PIDFILE: true when the pid in PIDFILE is a running process.
pid_alive() {
  [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

# wait_for SECONDS COMMAND...: retry COMMAND once a second until it succeeds.
wait_for() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 1
  done
}

# check_disk: refuse to start with less than 1 GiB free under VAR.
check_disk() {
  local free_kb
  free_kb=$(df -Pk "$VAR" | awk 'NR==2 {print $4}')
  if [ "${free_kb:-0}" -lt 1048576 ]; then
    die "less than 1 GiB free on the disk holding $VAR ($((free_kb / 1024)) MiB); free some space and run again"
  fi
}

# stop_pidfile NAME PIDFILE: stop a process we started, waiting for it to exit.
stop_pidfile() {
  local name=$1 pidfile=$2 pid
  pid_alive "$pidfile" || { rm -f "$pidfile"; return 0; }
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; info "$name stopped"; return 0; }
    sleep 1
  done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  warn "$name did not stop in 30 s and was killed"
}

ckan_cli() { "$VENV/bin/ckan" "$@"; }
