#!/usr/bin/env bash
# Production (docker/): scripts/backup.sh or scripts/restore.sh in a one-off
# container of the ckan image, against the running stack's databases and volume.
#
#   scripts/docker-backup.sh backup
#   scripts/docker-backup.sh restore [--yes] ARCHIVE|latest
#
# SATUDATA_BACKUP_DIR (default /srv/backup/satudata: put it on another disk or a
# mounted volume) holds the archives, SATUDATA_BACKUP_KEEP (default 14) how many
# stay. The secrets file backed up and restored is docker/.env.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
compose_dir=$(cd "$here/../docker" && pwd)
backup_dir=${SATUDATA_BACKUP_DIR:-/srv/backup/satudata}
what=${1:-}
case $what in
  backup|restore) shift ;;
  *) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
mkdir -p "$backup_dir"
chmod 700 "$backup_dir"
backup_dir=$(realpath "$backup_dir")

# An archive given by path is seen by the container under /backups or /restore.
args=() mounts=()
for arg in "$@"; do
  if [ "$what" = restore ] && [ -f "$arg" ]; then
    file=$(realpath "$arg")
    if [ "$(dirname "$file")" = "$backup_dir" ]; then
      arg=/backups/$(basename "$file")
    else
      mounts+=(-v "$(dirname "$file"):/restore:ro")
      arg=/restore/$(basename "$file")
    fi
  fi
  args+=("$arg")
done

cd "$compose_dir"
# root: reads and writes docker/.env and the archive directory, and keeps the
# owners of the uploaded files; the entrypoint renders the ini as for any command.
exec docker compose run --rm --no-deps --user root \
  -v "$compose_dir:/srv/app/compose" -v "$backup_dir:/backups" "${mounts[@]}" \
  -e SATUDATA_BACKUP_DIR=/backups -e SATUDATA_SECRETS=/srv/app/compose/.env \
  -e SATUDATA_VAR=/tmp/satudata -e "SATUDATA_BACKUP_KEEP=${SATUDATA_BACKUP_KEEP:-14}" \
  ckan "/srv/app/satudata/scripts/$what.sh" "${args[@]}"
