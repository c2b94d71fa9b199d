#!/usr/bin/env bash
# Back up the portal into one dated, checksummed archive (see scripts/lib/backup.sh).
#
#   scripts/backup.sh [--ini CKAN_INI]     (`make backup`)
#
# Both databases (pg_dump -Fc), the uploads, the secrets file; the archive goes to
# SATUDATA_BACKUP_DIR (default ~/satudata-backups, never inside var/), and only the
# SATUDATA_BACKUP_KEEP (default 14) newest archives of this site are kept.
# Settings come from the CKAN ini (default var/development.ini; SATUDATA_INI or
# CKAN_INI choose another), the secrets file from SATUDATA_SECRETS
# (default var/secrets.env). Prints the archive's path on the last line.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for lib in common postgres backup; do
  # shellcheck disable=SC1090
  . "$here/lib/$lib.sh"
done

while [ $# -gt 0 ]; do
  case $1 in
    --ini) BACKUP_INI=$2; shift 2 ;;
    *) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done

[[ $BACKUP_KEEP =~ ^[1-9][0-9]*$ ]] || die "SATUDATA_BACKUP_KEEP must be a whole number of at least 1, not '$BACKUP_KEEP'"
backup_read_ini "$BACKUP_INI"
[ -d "$STORAGE_DIR" ] || die "the storage path $STORAGE_DIR (ckan.storage_path) does not exist"
[ -s "$SECRETS" ] || die "the secrets file $SECRETS is missing or empty (SATUDATA_SECRETS)"
backup_check_dir
backup_lock

stamp=$(date -u +%Y%m%dT%H%M%SZ)
name=$SITE_ID-$stamp.tar
archive=$BACKUP_DIR/$name
[ ! -e "$archive" ] || die "$archive exists already; try again in a second"
umask 077
work=$(mktemp -d "$BACKUP_DIR/.work-XXXXXX")
trap 'rm -rf "$work" "$archive.partial"' EXIT

pg_dump=$(pg_tool pg_dump)
started=$SECONDS
info "dumping the CKAN database $CKAN_DB_NAME"
PGPASSWORD=$CKAN_DB_PASS "$pg_dump" --no-password -Fc -f "$work/ckan.dump" -d "$CKAN_DB_URL" \
  || die "pg_dump of the CKAN database $CKAN_DB_NAME failed"
info "dumping the DataStore database $DS_DB_NAME"
PGPASSWORD=$DS_DB_PASS "$pg_dump" --no-password -Fc -f "$work/datastore.dump" -d "$DS_DB_URL" \
  || die "pg_dump of the DataStore database $DS_DB_NAME failed"
info "packing the uploads in $STORAGE_DIR"
# webassets/ is compiled again when CKAN starts.
tar -czf "$work/storage.tar.gz" -C "$STORAGE_DIR" --exclude=./webassets . \
  || die "could not pack the uploads in $STORAGE_DIR"
cp "$SECRETS" "$work/secrets.env"
files=$(tar -tzf "$work/storage.tar.gz" | grep -vc '/$' || true)
cat >"$work/MANIFEST" <<EOF
format=$BACKUP_FORMAT
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
site_id=$SITE_ID
host=$(hostname)
ini=$(realpath "$BACKUP_INI")
ckan_db=$CKAN_DB_NAME
datastore_db=$DS_DB_NAME
storage_path=$STORAGE_DIR
storage_files=$files
pg_dump=$("$pg_dump" --version)
EOF
(cd "$work" && sha256sum "${BACKUP_MEMBERS[@]}" >SHA256SUMS)
tar -cf "$archive.partial" -C "$work" SHA256SUMS "${BACKUP_MEMBERS[@]}"
(cd "$BACKUP_DIR" && sha256sum "$name.partial" | sed "s/\.partial\$//" >"$name.sha256")
mv "$archive.partial" "$archive"

# Retention: the newest BACKUP_KEEP archives of this site stay.
mapfile -t archives < <(backup_list)
removed=0
for ((i = 0; i < ${#archives[@]} - BACKUP_KEEP; i++)); do
  rm -f "${archives[$i]}" "${archives[$i]}.sha256"
  removed=$((removed + 1))
done

info "backup written in $((SECONDS - started)) s: $(du -h "$archive" | cut -f1), $files uploaded files; $removed old archive(s) removed, keeping $BACKUP_KEEP"
echo "$archive"
