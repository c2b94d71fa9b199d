# Apache Solr: a standalone node on 127.0.0.1:$SOLR_PORT with one core per use.
# shellcheck shell=bash

SOLR_HOME=$VAR/solr/home
SOLR_LOG=$LOG_DIR/solr.log
SOLR_PID=$RUN_DIR/solr.pid
SOLR_URL=http://127.0.0.1:$SOLR_PORT/solr

_solr_ready() { curl -sf "$SOLR_URL/admin/cores?action=STATUS&wt=json" >/dev/null; }

solr_start() {
  # The config set is copied on every start so schema changes reach the cores.
  mkdir -p "$SOLR_HOME/configsets/ckan" "$SOLR_HOME/cores"
  cp "$ROOT/config/solr/solr.xml" "$SOLR_HOME/solr.xml"
  rm -rf "$SOLR_HOME/configsets/ckan/conf"
  cp -r "$ROOT/config/solr/conf" "$SOLR_HOME/configsets/ckan/conf"
  if _solr_ready; then
    # Already serving (pid file may be stale after an interrupted run).
    _solr_reload_cores
    return 0
  fi
  port_busy "$SOLR_PORT" && fail_port solr "$SOLR_PORT"
  info "starting Solr on 127.0.0.1:$SOLR_PORT"
  : >"$SOLR_LOG"
  local -a java_opts
  read -r -a java_opts <<<"${SATUDATA_SOLR_JAVA_OPTS:--Xms256m -Xmx1g}"
  nohup java "${java_opts[@]}" \
    -Dsolr.log.dir="$LOG_DIR" -Dsolr.install.dir="$SOLR_DIST" \
    -cp "$SOLR_DIST/satudata-solr.jar:$SOLR_DIST/lib/*" \
    id.go.pasuruankab.satudata.SolrServer "$SOLR_HOME" "$SOLR_PORT" >>"$SOLR_LOG" 2>&1 &
  echo $! >"$SOLR_PID"
  wait_for 90 _solr_ready || {
    kill "$(cat "$SOLR_PID")" 2>/dev/null; rm -f "$SOLR_PID"
    fail_service solr "$SOLR_LOG" "Solr did not come up on port $SOLR_PORT"
  }
}

_solr_reload_cores() {
  local core
  for core in $(curl -sf "$SOLR_URL/admin/cores?action=STATUS&wt=json" \
      | python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin)["status"]))'); do
    curl -sf "$SOLR_URL/admin/cores?action=RELOAD&core=$core" >/dev/null \
      || fail_service solr "$SOLR_LOG" "reloading core $core failed (schema error?)"
  done
}

# solr_ensure_core NAME: create a core from the ckan config set if missing.
solr_ensure_core() {
  if curl -sf "$SOLR_URL/admin/cores?action=STATUS&core=$1&wt=json" | grep -q '"instanceDir"'; then
    return 0
  fi
  curl -sf "$SOLR_URL/admin/cores?action=CREATE&name=$1&configSet=ckan&wt=json" >/dev/null \
    || fail_service solr "$SOLR_LOG" "creating the Solr core $1 failed"
}

# solr_clear_core NAME: delete every document of a core (each environment has its own).
solr_clear_core() {
  curl -sf -H 'Content-Type: application/json' -d '{"delete": {"query": "*:*"}}' \
    "$SOLR_URL/$1/update?commit=true" >/dev/null \
    || fail_service solr "$SOLR_LOG" "clearing the Solr core $1 failed"
}

# The Solr we started: the pid file's process, if it is still our Solr launcher
# with our home (a recycled pid or another program on the port is left alone).
_solr_is_ours() {
  local pid
  pid_alive "$SOLR_PID" || return 1
  pid=$(cat "$SOLR_PID")
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null \
    | grep -q "id.go.pasuruankab.satudata.SolrServer $SOLR_HOME "
}

solr_stop() {
  if ! _solr_is_ours; then
    rm -f "$SOLR_PID"
    port_busy "$SOLR_PORT" && warn "port $SOLR_PORT is served by a process this project did not start; left running"
    return 0
  fi
  stop_pidfile Solr "$SOLR_PID"
}
