# Installs what the portal needs: Debian packages, the Python venv, the Solr server.
# shellcheck shell=bash

# Debian packages the portal needs, keyed by a file that proves each is installed.
declare -A DEB_PACKAGES=(
  [postgresql]="/usr/lib/postgresql/*/bin/postgres"
  [libpq-dev]="/usr/include/postgresql/libpq-fe.h"
  [redis-server]="/usr/bin/redis-server"
  [openjdk-17-jdk-headless]="/usr/bin/javac"
  [maven]="/usr/bin/mvn"
  [libmagic1]="/usr/lib/x86_64-linux-gnu/libmagic.so.1"
  [chromium]="/usr/bin/chromium"
  [chromium-driver]="/usr/bin/chromedriver"
  [gcc]="/usr/bin/gcc"
  [curl]="/usr/bin/curl"
  [shellcheck]="/usr/bin/shellcheck"
  [nodejs]="/usr/bin/node"
  [npm]="/usr/bin/npm"
  # WeasyPrint (PDF of the periodic reports, /laporan) loads pango through cffi;
  # DejaVu gives the PDF its fonts; pdftotext lets the report tests read the PDF.
  [libpango-1.0-0]="/usr/lib/*/libpango-1.0.so.0"
  [libpangoft2-1.0-0]="/usr/lib/*/libpangoft2-1.0.so.0"
  [fonts-dejavu-core]="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
  [poppler-utils]="/usr/bin/pdftotext"
)

_missing_debs() {
  local pkg pattern
  for pkg in "${!DEB_PACKAGES[@]}"; do
    pattern=${DEB_PACKAGES[$pkg]}
    # shellcheck disable=SC2086
    compgen -G $pattern >/dev/null || printf '%s ' "$pkg"
  done
}

install_system_packages() {
  local missing
  missing=$(_missing_debs)
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" != 0 ]; then
    die "missing Debian packages: $missing— install them (sudo apt-get install $missing) and run again"
  fi
  info "installing Debian packages: $missing"
  # Our PostgreSQL runs from a cluster under var/; Debian's default cluster is not wanted.
  mkdir -p /etc/postgresql-common
  [ -f /etc/postgresql-common/createcluster.conf ] || echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >"$LOG_DIR/apt.log" 2>&1 || fail_service apt "$LOG_DIR/apt.log" "apt-get update failed"
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $missing >>"$LOG_DIR/apt.log" 2>&1 \
    || fail_service apt "$LOG_DIR/apt.log" "apt-get install $missing failed"
  # Debian starts redis-server as a system service on install; ours runs on its own port.
  if command -v service >/dev/null; then service redis-server stop >/dev/null 2>&1 || true; fi
  missing=$(_missing_debs)
  [ -z "$missing" ] || die "still missing after apt-get install: $missing"
}

_stamp_of() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }

UV_PIN=0.9.5

# _uv_pip COMMAND ARGS: `uv pip` on the venv, with pip's local wheels and CA file if set.
_uv_pip() {
  local env=()
  [ -n "${PIP_FIND_LINKS:-}" ] && env+=("UV_FIND_LINKS=$PIP_FIND_LINKS")
  [ -n "${PIP_CERT:-}" ] && env+=("SSL_CERT_FILE=$PIP_CERT")
  env "${env[@]}" "$VENV/bin/uv" pip "$1" --python "$VENV/bin/python" "${@:2}"
}

install_python() {
  local python stamp
  python=$(command -v "python$PY_VERSION" || command -v python3)
  "$python" -c 'import sys; assert sys.version_info[:2] >= (3, 10)' 2>/dev/null \
    || die "Python >= 3.10 is needed (found: $("$python" --version 2>&1))"
  stamp=$(_stamp_of "$ROOT/requirements.txt" "$ROOT/requirements-test.txt" "$ROOT/constraints.txt" "$ROOT/setup.py")
  if [ -x "$VENV/bin/ckan" ] && [ "$(cat "$VENV/.stamp" 2>/dev/null)" = "$stamp" ]; then
    return 0
  fi
  info "installing Python packages into $VENV (log: $LOG_DIR/pip.log)"
  [ -x "$VENV/bin/python" ] || "$python" -m venv "$VENV" || die "could not create the virtualenv $VENV"
  # uv installs the same pinned set as pip would, from its cache in seconds (pip took
  # 42 s of every fresh clone's test run); pip stays in the venv for `pip check`.
  {
    "$VENV/bin/pip" install -q "uv==$UV_PIN" &&
    _uv_pip install "pip==25.3" "setuptools==80.9.0" "wheel==0.45.1" &&
    _uv_pip install -c "$ROOT/constraints.txt" \
      -r "$ROOT/requirements.txt" -r "$ROOT/requirements-test.txt" &&
    _uv_pip install -c "$ROOT/constraints.txt" --no-deps -e "$ROOT"
  } >"$LOG_DIR/pip.log" 2>&1 || fail_service pip "$LOG_DIR/pip.log" "installing Python packages failed"
  "$VENV/bin/pip" check >>"$LOG_DIR/pip.log" 2>&1 || fail_service pip "$LOG_DIR/pip.log" "pip check found broken requirements"
  "$VENV/bin/python" "$ROOT/scripts/check_ckan_pins.py" >>"$LOG_DIR/pip.log" 2>&1 \
    || fail_service pip "$LOG_DIR/pip.log" "an installed package breaks a ckan[requirements] pin"
  echo "$stamp" >"$VENV/.stamp"
}

SOLR_DIST=$VAR/solr/dist

install_solr() {
  local src=$ROOT/config/solr/launcher stamp
  stamp=$(_stamp_of "$src/pom.xml" "$src"/src/main/java/id/go/pasuruankab/satudata/*.java)
  if [ -f "$SOLR_DIST/satudata-solr.jar" ] && [ "$(cat "$SOLR_DIST/.stamp" 2>/dev/null)" = "$stamp" ]; then
    return 0
  fi
  info "assembling Apache Solr from Maven Central (log: $LOG_DIR/solr-build.log)"
  mkdir -p "$SOLR_DIST"
  mvn -B -q -f "$src/pom.xml" -Dbuild.dir="$VAR/solr/build" package >"$LOG_DIR/solr-build.log" 2>&1 \
    || fail_service solr "$LOG_DIR/solr-build.log" "building the Solr server with Maven failed"
  rm -rf "${SOLR_DIST:?}/lib"
  cp -r "$VAR/solr/build/lib" "$SOLR_DIST/lib"
  cp "$VAR/solr/build/satudata-solr-1.0.0.jar" "$SOLR_DIST/satudata-solr.jar"
  echo "$stamp" >"$SOLR_DIST/.stamp"
}

# Browser libraries: npm packages pinned exactly in package.json/package-lock.json,
# installed with `npm ci` (the lock file decides every version, nothing else is
# fetched at run time) and copied into the extension's git-ignored assets/vendor/,
# from where CKAN's webassets serve them (no CDN).
JS_VENDOR=$ROOT/ckanext-satudata/ckanext/satudata/assets/vendor
JS_VENDOR_FILES=(
  "echarts/dist/echarts.min.js"
  "echarts/LICENSE:echarts.LICENSE"
  "swagger-ui-dist/swagger-ui-bundle.js"
  "swagger-ui-dist/swagger-ui.css"
  "swagger-ui-dist/LICENSE:swagger-ui.LICENSE"
  "swagger-ui-dist/NOTICE:swagger-ui.NOTICE"
)

install_js() {
  local stamp entry src dest
  stamp=$(_stamp_of "$ROOT/package.json" "$ROOT/package-lock.json" "${BASH_SOURCE[0]}")
  if [ "$(cat "$JS_VENDOR/.stamp" 2>/dev/null)" = "$stamp" ]; then
    return 0
  fi
  info "installing browser libraries with npm ci (log: $LOG_DIR/npm.log)"
  (cd "$ROOT" && npm ci --ignore-scripts --no-audit --no-fund) >"$LOG_DIR/npm.log" 2>&1 \
    || fail_service npm "$LOG_DIR/npm.log" "npm ci failed"
  mkdir -p "$JS_VENDOR"
  for entry in "${JS_VENDOR_FILES[@]}"; do
    src=${entry%%:*}
    dest=${entry#*:}
    [ "$dest" = "$entry" ] && dest=$(basename "$src")
    cp "$ROOT/node_modules/$src" "$JS_VENDOR/$dest" || die "npm package file missing: node_modules/$src"
  done
  echo "$stamp" >"$JS_VENDOR/.stamp"
}

install_all() {
  check_disk
  install_system_packages
  install_python
  install_solr
  install_js
}
