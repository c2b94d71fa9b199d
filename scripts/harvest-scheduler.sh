#!/usr/bin/env bash
# Harvest scheduler: starts due harvest jobs and finishes completed ones, every
# SATUDATA_HARVEST_INTERVAL seconds (default 300). `ckan harvester run` also
# marks jobs that exceeded ckan.harvest.timeout as finished, so none stay "Running".
set -u
ckan=$1 ini=$2 interval=${SATUDATA_HARVEST_INTERVAL:-300}
trap 'exit 0' TERM INT
while true; do
  echo "$(date -Is) ckan harvester run"
  "$ckan" -c "$ini" harvester run
  rc=$?
  [ "$rc" -eq 0 ] || echo "$(date -Is) harvester run failed with exit code $rc"
  sleep "$interval" & wait $!
done
