# Backups: what scripts/backup.sh and scripts/restore.sh share. Sourced, never run.
# shellcheck shell=bash
#
# One archive per run, <site_id>-<YYYYmmddTHHMMSSZ>.tar, holding
#   MANIFEST        what, when, from where (format version first)
#   ckan.dump       pg_dump -Fc of the CKAN database
#   datastore.dump  pg_dump -Fc of the DataStore database
#   storage.tar.gz  the uploads (ckan.storage_path without the rebuilt webassets/)
#   secrets.env     the secrets file (var/secrets.env, docker/.env in production)
#   SHA256SUMS      sha256 of every member above; restore checks it before touching anything
# and next to it <archive>.sha256, the checksum of the archive itself.
# Solr is not in it: a restore rebuilds the index from the restored database.
# The settings below are read by the two scripts.
# shellcheck disable=SC2034

BACKUP_FORMAT=satudata-backup-1
BACKUP_MEMBERS=(MANIFEST ckan.dump datastore.dump storage.tar.gz secrets.env)
BACKUP_DIR=${SATUDATA_BACKUP_DIR:-$HOME/satudata-backups}
BACKUP_KEEP=${SATUDATA_BACKUP_KEEP:-14}
# The secrets file: var/secrets.env by default; production points it at docker/.env.
SECRETS=${SATUDATA_SECRETS:-$SECRETS}
# The ini of the installation: the development portal unless told otherwise.
BACKUP_INI=${SATUDATA_INI:-${CKAN_INI:-$VAR/development.ini}}

_backup_python() {
  if [ -x "$VENV/bin/python" ]; then echo "$VENV/bin/python"; else command -v python3 || command -v python; fi
}

_backup_ckan() {
  if [ -x "$VENV/bin/ckan" ]; then "$VENV/bin/ckan" "$@"; else ckan "$@"; fi
}

# pg_tool NAME: the newest pg_dump/pg_restore/psql installed (a client older than
# the server cannot dump it), else the one on PATH.
pg_tool() {
  local found
  found=$(compgen -G "/usr/lib/postgresql/*/bin/$1" | sort -V | tail -n 1 || true)
  if [ -n "$found" ]; then echo "$found"; else command -v "$1" || die "$1 not found (install postgresql-client)"; fi
}

# backup_read_ini INI: the databases, storage path and site id CKAN uses with INI
# (following `use = config:...` and CKAN's CKAN_* environment overrides). Sets
# SITE_ID STORAGE_DIR, and for CKAN and DS: *_DB_URL (without password),
# *_DB_PASS, *_DB_NAME. Passwords reach libpq through PGPASSWORD, never argv.
backup_read_ini() {
  [ -f "$1" ] || die "CKAN ini $1 not found (set SATUDATA_INI or pass --ini)"
  local key value
  while IFS='=' read -r key value; do
    case $key in
      SITE_ID|STORAGE_DIR|CKAN_DB_URL|CKAN_DB_PASS|CKAN_DB_NAME|DS_DB_URL|DS_DB_PASS|DS_DB_NAME)
        printf -v "$key" '%s' "$value" ;;
      *) die "unexpected line from the ini reader: $key" ;;
    esac
  done < <("$(_backup_python)" - "$1" <<'PY' || die "could not read the settings of $1"
import configparser, os, sys
from urllib.parse import unquote, urlsplit, urlunsplit


def load(path, depth=0):
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str
    if not parser.read(path):
        sys.exit(f"cannot read {path}")
    here = os.path.dirname(os.path.abspath(path))
    section = {k: v.replace("%(here)s", here) for k, v in parser.items("app:main")} \
        if parser.has_section("app:main") else {}
    merged = {}
    use = section.get("use", "")
    if use.startswith("config:") and depth < 10:
        merged = load(os.path.join(here, use[len("config:"):]), depth + 1)
    merged.update(section)
    return merged


config = load(sys.argv[1])
for key in ("sqlalchemy.url", "ckan.datastore.write_url", "ckan.storage_path", "ckan.site_id"):
    env = "CKAN_" + key.replace("ckan.", "", 1).replace(".", "_").upper()
    if os.environ.get(env):
        config[key] = os.environ[env]
    if not config.get(key):
        sys.exit(f"{key} is not set in {sys.argv[1]}")


def split(prefix, url):
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if ":" in netloc:
        netloc = f"[{netloc}]"
    if parts.port:
        netloc += f":{parts.port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    scheme = "postgresql" if parts.scheme.startswith("postgres") else parts.scheme
    print(f"{prefix}_DB_URL={urlunsplit((scheme, netloc, parts.path, parts.query, ''))}")
    print(f"{prefix}_DB_PASS={unquote(parts.password or '')}")
    print(f"{prefix}_DB_NAME={unquote(parts.path.lstrip('/'))}")


print(f"SITE_ID={config['ckan.site_id']}")
print(f"STORAGE_DIR={config['ckan.storage_path']}")
split("CKAN", config["sqlalchemy.url"])
split("DS", config["ckan.datastore.write_url"])
PY
  )
  if [ -z "${CKAN_DB_NAME:-}" ] || [ -z "${DS_DB_NAME:-}" ]; then die "could not read the databases of $1"; fi
  [[ $SITE_ID =~ ^[A-Za-z0-9_.-]+$ ]] || die "ckan.site_id '$SITE_ID' cannot name an archive"
}

# backup_check_dir: the archive directory exists, is private and lies outside var/
# (a backup next to the data it protects dies with the same disk).
backup_check_dir() {
  local dir var
  dir=$(realpath -m "$BACKUP_DIR")
  var=$(realpath -m "$VAR")
  case "$dir/" in
    "$var/"*) die "the backup directory $dir lies inside $var; set SATUDATA_BACKUP_DIR to a directory outside it, ideally on another disk" ;;
  esac
  mkdir -p "$dir" || die "cannot create the backup directory $dir (SATUDATA_BACKUP_DIR)"
  chmod 700 "$dir"
  BACKUP_DIR=$dir
}

# backup_lock: one backup or restore at a time per backup directory.
backup_lock() {
  exec 9>"$BACKUP_DIR/.lock"
  flock -n 9 || die "another backup or restore is running on $BACKUP_DIR"
}

# backup_list: this site's archives in BACKUP_DIR, oldest first.
backup_list() {
  compgen -G "$BACKUP_DIR/$SITE_ID-[0-9]*Z.tar" | sort || true
}

# backup_verify ARCHIVE WORKDIR: unpack ARCHIVE into WORKDIR and check every member
# against SHA256SUMS. Dies with a clear message (and nothing touched) when the
# archive is damaged, incomplete or not a backup of this kind.
backup_verify() {
  local archive=$1 work=$2 member listed bad
  [ -f "$archive" ] || die "archive $archive not found"
  if [ -f "$archive.sha256" ]; then
    (cd "$(dirname "$archive")" && sha256sum --quiet --status -c "$(basename "$archive").sha256") \
      || die "REFUSED: $archive does not match its checksum file $archive.sha256: the archive is damaged. Nothing was changed."
  else
    warn "no $archive.sha256 next to the archive; checking the checksums inside it only"
  fi
  tar -xf "$archive" -C "$work" 2>"$work/.tar-errors" \
    || die "REFUSED: $archive cannot be unpacked ($(head -n 1 "$work/.tar-errors")): the archive is damaged. Nothing was changed."
  [ -f "$work/SHA256SUMS" ] || die "REFUSED: $archive has no SHA256SUMS: not a portal backup. Nothing was changed."
  for member in "${BACKUP_MEMBERS[@]}"; do
    [ -f "$work/$member" ] || die "REFUSED: $archive lacks $member: the archive is incomplete. Nothing was changed."
    grep -q "  $member\$" "$work/SHA256SUMS" || die "REFUSED: SHA256SUMS of $archive does not cover $member. Nothing was changed."
  done
  listed=$(wc -l <"$work/SHA256SUMS")
  [ "$listed" -eq "${#BACKUP_MEMBERS[@]}" ] || die "REFUSED: SHA256SUMS of $archive lists $listed files, expected ${#BACKUP_MEMBERS[@]}. Nothing was changed."
  bad=$(cd "$work" && { sha256sum -c SHA256SUMS 2>/dev/null || true; } | { grep -v ': OK$' || true; } | sed 's/: .*//' | paste -sd ' ')
  [ -z "$bad" ] || die "REFUSED: $archive is damaged: checksum mismatch in $bad. Nothing was changed."
  head -n 1 "$work/MANIFEST" | grep -qx "format=$BACKUP_FORMAT" \
    || die "REFUSED: $archive is of an unknown format ($(head -n 1 "$work/MANIFEST")). Nothing was changed."
}

# manifest_value WORKDIR KEY: one value of an unpacked archive's MANIFEST.
manifest_value() {
  sed -n "s/^$2=//p" "$1/MANIFEST" | head -n 1
}
