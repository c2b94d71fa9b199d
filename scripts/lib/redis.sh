# Redis: RQ job queues and harvest queues, on 127.0.0.1:$REDIS_PORT.
# shellcheck shell=bash

REDIS_LOG=$LOG_DIR/redis.log
REDIS_PID=$RUN_DIR/redis.pid

_redis_ping() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

redis_start() {
  command -v redis-server >/dev/null || die "redis-server not installed"
  if _redis_ping; then return 0; fi
  port_busy "$REDIS_PORT" && fail_port redis "$REDIS_PORT"
  mkdir -p "$VAR/redis"
  info "starting Redis on 127.0.0.1:$REDIS_PORT"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$VAR/redis" \
    --daemonize yes --pidfile "$REDIS_PID" --logfile "$REDIS_LOG" \
    --save 60 1 --appendonly no --protected-mode yes --databases 64 \
    || fail_service redis "$REDIS_LOG" "redis-server did not start"
  wait_for 20 _redis_ping || fail_service redis "$REDIS_LOG" "Redis does not answer on port $REDIS_PORT"
}

redis_stop() {
  if _redis_ping; then
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || true
    wait_for 20 bash -c "! redis-cli -h 127.0.0.1 -p $REDIS_PORT ping" || true
    info "Redis stopped"
  fi
  rm -f "$REDIS_PID"
}
