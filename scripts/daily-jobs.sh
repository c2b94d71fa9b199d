#!/usr/bin/env bash
# Periodic portal jobs: overdue-correction reminders (idempotent per day, so an
# hourly run sends each reminder once) and the sweep of DataStore loads whose
# worker died (re-queued, then failed with the reason), and the page-view
# counts (`ckan tracking update`: summaries, then the visited datasets
# reindexed), import files checked but never applied, and the search index
# compared with the database (drift repaired). Runs under `make run`;
# in production the compose file's scheduler runs the same commands.
set -u
ckan=$1 ini=$2 interval=${SATUDATA_DAILY_JOBS_INTERVAL:-3600}
# Dead DataStore loads must be noticed within ckanext.satudata.loader.stale_seconds
# (120 s by default): their sweep runs every minute, not hourly.
sweep_interval=${SATUDATA_SWEEP_INTERVAL:-60}
trap 'exit 0' TERM INT
while true; do
  echo "$(date -Is) ckan verifikasi send-reminders"
  "$ckan" -c "$ini" verifikasi send-reminders
  rc=$?
  [ "$rc" -eq 0 ] || echo "$(date -Is) send-reminders failed with exit code $rc"
  # From three days back: without a date, a portal with no views yet would
  # recompute every day since 2011 on each run (5,800 days, ~40 s).
  "$ckan" -c "$ini" tracking update "$(date -u -d '3 days ago' +%F)" \
    || echo "$(date -Is) tracking update failed with exit code $?"
  "$ckan" -c "$ini" satudata discard-stale-imports \
    || echo "$(date -Is) discard-stale-imports failed with exit code $?"
  # Search index vs database (state, private flag, workflow, access class): drift
  # left by a failed index call is reported and repaired.
  "$ckan" -c "$ini" verifikasi index-check --repair \
    || echo "$(date -Is) verifikasi index-check failed with exit code $?"
  next_run=$((SECONDS + interval))
  while [ "$SECONDS" -lt "$next_run" ]; do
    "$ckan" -c "$ini" satudata-loader sweep \
      || echo "$(date -Is) satudata-loader sweep failed with exit code $?"
    sleep "$sweep_interval" & wait $!
  done
done
