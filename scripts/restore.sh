#!/usr/bin/env bash
# Restore the portal from an archive of scripts/backup.sh.
#
#   scripts/restore.sh [--ini CKAN_INI] [--yes] [--other-site] ARCHIVE|latest
#                                         (`make restore ARCHIVE=...`)
#
# First the archive is checked (its .sha256 file, then every member against the
# SHA256SUMS inside): a damaged or incomplete archive is refused and nothing is
# changed. Then both databases are restored (pg_restore --clean --if-exists in one
# transaction each; tables the archive does not know are dropped), the uploads
# replace ckan.storage_path, the secrets file is put back (the old one is kept
# next to it when it differed), and the search index is rebuilt from the database.
# --yes skips the question; --other-site allows an archive of another ckan.site_id.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for lib in common postgres ckan backup; do
  # shellcheck disable=SC1090
  . "$here/lib/$lib.sh"
done

usage() { sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }
archive="" yes=false other_site=false
while [ $# -gt 0 ]; do
  case $1 in
    --ini) BACKUP_INI=$2; shift 2 ;;
    --yes) yes=true; shift ;;
    --other-site) other_site=true; shift ;;
    -*) usage ;;
    *) [ -z "$archive" ] || usage; archive=$1; shift ;;
  esac
done

backup_read_ini "$BACKUP_INI"
if [ -z "$archive" ]; then
  echo "Which archive? Archives of $SITE_ID in ${SATUDATA_BACKUP_DIR:-$BACKUP_DIR}:" >&2
  BACKUP_DIR=$(realpath -m "$BACKUP_DIR")
  backup_list | sed 's/^/  /' >&2
  usage
fi
backup_check_dir
if [ "$archive" = latest ]; then
  archive=$(backup_list | tail -n 1)
  [ -n "$archive" ] || die "no archive of $SITE_ID in $BACKUP_DIR"
fi
archive=$(realpath "$archive" 2>/dev/null) || die "archive $archive not found"
backup_lock

# 1. Check everything before touching anything.
work=$(mktemp -d "$BACKUP_DIR/.restore-XXXXXX")
trap 'rm -rf "$work"' EXIT
info "checking $archive"
backup_verify "$archive" "$work"
from_site=$(manifest_value "$work" site_id)
if [ "$from_site" != "$SITE_ID" ] && [ "$other_site" != true ]; then
  die "REFUSED: $archive is a backup of '$from_site', this installation is '$SITE_ID' (--other-site restores it anyway). Nothing was changed."
fi
pg_restore=$(pg_tool pg_restore)
psql=$(pg_tool psql)
for db in CKAN DS; do
  url_var=${db}_DB_URL pass_var=${db}_DB_PASS
  PGPASSWORD=${!pass_var} "$psql" -X -q --no-password -d "${!url_var}" -c 'SELECT 1' >/dev/null 2>&1 \
    || die "cannot connect to ${!url_var}; nothing was changed"
  PGPASSWORD=${!pass_var} "$pg_restore" -l "$work/$([ $db = CKAN ] && echo ckan || echo datastore).dump" >/dev/null \
    || die "REFUSED: the $db dump in $archive cannot be read by $pg_restore. Nothing was changed."
done
[ -d "$STORAGE_DIR" ] || mkdir -p "$STORAGE_DIR"

info "archive OK: $(manifest_value "$work" created) from $(manifest_value "$work" host), $(manifest_value "$work" storage_files) uploaded files"
if [ "$yes" != true ]; then
  [ -t 0 ] || die "restore replaces the databases $CKAN_DB_NAME and $DS_DB_NAME and $STORAGE_DIR: pass --yes to confirm"
  read -r -p "Replace the databases $CKAN_DB_NAME, $DS_DB_NAME and the files in $STORAGE_DIR? Type the site id ($SITE_ID): " answer
  [ "$answer" = "$SITE_ID" ] || die "not confirmed; nothing was changed"
fi

# The development portal's own processes would hold locks and write meanwhile.
if [ "$(realpath "$BACKUP_INI")" = "$(realpath -m "$VAR/development.ini")" ]; then
  if pid_alive "$WEB_PID" || pid_alive "$WORKER_PID" || pid_alive "$PERIODIC_PID"; then
    info "stopping the portal's web server and workers for the restore (start again with: make run)"
    ckan_processes_stop
  fi
fi
started=$SECONDS

# 2. Databases, each in one transaction (a failure leaves it as it was): tables the
# archive does not know (e.g. DataStore tables of resources made after the backup)
# are dropped first, then pg_restore --clean --if-exists recreates everything else.
# restore_db LABEL DUMP URL PASSWORD
restore_db() {
  local label=$1 dump=$2 url=$3 pass=$4 log=$work/$1-restore.log keep drops
  info "restoring the $label database"
  keep=$("$pg_restore" -l "$dump" | awk '$4 == "TABLE" && $5 == "public" {print $6}')
  drops=$(PGPASSWORD=$pass "$psql" -X -At --no-password -v ON_ERROR_STOP=1 -v keep="$keep" -d "$url" <<'SQL'
SELECT format('DROP TABLE IF EXISTS public.%I CASCADE;', tablename) FROM pg_tables
WHERE schemaname = 'public' AND tablename <> ALL (string_to_array(:'keep', E'\n')) ORDER BY 1;
SQL
  ) || die "could not list the tables of the $label database; nothing was changed in it"
  [ -z "$drops" ] || info "  $(echo "$drops" | wc -l) table(s) made after the backup are dropped"
  { echo 'BEGIN;'; echo "$drops"
    "$pg_restore" --clean --if-exists --no-owner -f - "$dump"
    echo 'COMMIT;'
  } | PGPASSWORD=$pass "$psql" -X -q --no-password -v ON_ERROR_STOP=1 -d "$url" >"$log" 2>&1 \
    || { grep -m 5 ERROR -A 3 "$log" | sed 's/^/  | /' >&2
         die "restoring the $label database failed; it was left as it was before (the transaction was rolled back)"; }
}
restore_db ckan "$work/ckan.dump" "$CKAN_DB_URL" "$CKAN_DB_PASS"
restore_db datastore "$work/datastore.dump" "$DS_DB_URL" "$DS_DB_PASS"

# 3. Uploads: the storage path becomes what the archive holds (webassets/ stays).
info "restoring the uploads into $STORAGE_DIR"
find "$STORAGE_DIR" -mindepth 1 -maxdepth 1 ! -name webassets -exec rm -rf {} +
# As root, tar keeps the files' owners (the web server's user in Docker).
tar -xzf "$work/storage.tar.gz" -C "$STORAGE_DIR" \
  || die "unpacking the uploads into $STORAGE_DIR failed"

# 4. Secrets.
if ! cmp -s "$work/secrets.env" "$SECRETS"; then
  if [ -f "$SECRETS" ]; then
    cp -p "$SECRETS" "$SECRETS.before-restore-$(date -u +%Y%m%dT%H%M%SZ)"
    info "the secrets differed: the current file is kept as $SECRETS.before-restore-*"
  fi
  # Written in place: the file may be a bind mount (docker/.env), and keeps its mode.
  (umask 077; cat "$work/secrets.env" >"$SECRETS") || die "could not write the secrets file $SECRETS"
  warn "secrets restored into $SECRETS: render the configuration again (make run; in Docker: docker compose up -d)"
fi

# 5. Search index: cleared (this site's documents only) and rebuilt from the restored database.
info "rebuilding the search index"
_backup_ckan -c "$BACKUP_INI" search-index rebuild --clear --quiet >"$work/index.log" 2>&1 \
  || { tail -n 15 "$work/index.log" | sed 's/^/  | /' >&2; die "the databases and files are restored, but rebuilding the search index failed: run 'ckan -c $BACKUP_INI search-index rebuild'"; }

info "restored $archive in $((SECONDS - started)) s"
