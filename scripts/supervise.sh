#!/usr/bin/env bash
# supervise.sh NAME COMMAND...: run COMMAND and start it again whenever it dies.
#
# `make run` starts its background processes (worker, harvest consumers, harvest
# scheduler, periodic jobs) under this, so a crashed or killed one (e.g. a
# consumer that died with Redis) comes back without `make run`. A command that
# keeps dying right after starting is restarted with a growing delay (up to
# 60 s). TERM or INT stops the command, then the supervisor: TERM first (an RQ
# worker finishes its job), TERM again after 15 s (RQ's cold shutdown), KILL
# after 25 s, within stop_pidfile's 30 s. SUPERVISE_CHILD_PIDFILE, if set, gets
# the command's current pid.
set -u
name=$1; shift
child=
stopping=

stop() {
  stopping=1
  if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null
    for tick in $(seq 1 25); do
      kill -0 "$child" 2>/dev/null || break
      [ "$tick" -ne 15 ] || kill -TERM "$child" 2>/dev/null
      sleep 1
    done
    kill -KILL "$child" 2>/dev/null
  fi
  [ -z "${SUPERVISE_CHILD_PIDFILE:-}" ] || rm -f "$SUPERVISE_CHILD_PIDFILE"
  exit 0
}
trap stop TERM INT

delay=1
while [ -z "$stopping" ]; do
  started=$SECONDS
  "$@" &
  child=$!
  [ -z "${SUPERVISE_CHILD_PIDFILE:-}" ] || echo "$child" >"$SUPERVISE_CHILD_PIDFILE"
  wait "$child"
  rc=$?
  # A run of a minute or more was healthy: the next restart is immediate again.
  if [ $((SECONDS - started)) -ge 60 ]; then delay=1; fi
  echo "$(date -Is) supervise: $name exited with code $rc; starting it again in $delay s" >&2
  sleep "$delay" & wait $!
  delay=$((delay * 2 > 60 ? 60 : delay * 2))
done
