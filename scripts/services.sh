#!/usr/bin/env bash
# The real services the integration tests, CI and benchmarks need, on 127.0.0.1:
#   Kafka  127.0.0.1:9092  a single-node KRaft broker from scripts/kafka/kafka.sh
#   Redis  127.0.0.1:6379  the machine's Redis when it answers; otherwise one started here
#
#   bash scripts/services.sh up      start what is missing; returns when both are ready
#   bash scripts/services.sh down    stop only what `up` started (a Redis already running is left alone)
#   bash scripts/services.sh status
#
# What `up` started is remembered in <services dir>/started/ (one marker per service), so `down` never
# stops a service someone else runs. Environment: MODSTREAM_SERVICES_DIR (default <project>/.services),
# REDIS_PORT (default 6379), plus the KAFKA_* variables of scripts/kafka/kafka.sh.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
SERVICES_DIR="${MODSTREAM_SERVICES_DIR:-$PROJECT_DIR/.services}"
export MODSTREAM_SERVICES_DIR="$SERVICES_DIR"
STARTED_DIR="$SERVICES_DIR/started"
REDIS_DIR="$SERVICES_DIR/redis"
REDIS_PORT="${REDIS_PORT:-6379}"
KAFKA_SH="$SCRIPT_DIR/kafka/kafka.sh"

log() { echo "[services] $*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

# PING over a raw socket when redis-cli is not installed, so an existing Redis is found either way.
redis_ping() {
  if command -v redis-cli >/dev/null; then
    [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == "PONG" ]]
    return
  fi
  local reply
  (
    exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT" || exit 1
    printf 'PING\r\n' >&3
    IFS= read -r -t 2 reply <&3 || exit 1
    [[ "$reply" == +PONG* ]]
  ) 2>/dev/null
}

ensure_redis_installed() {
  command -v redis-server >/dev/null && return 0
  [[ "$(id -u)" == "0" ]] || die "redis-server is not installed and this is not root: install Redis 7 first"
  log "installing redis-server with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq redis-server >/dev/null 2>&1 ||
    { apt-get update -qq && apt-get install -y -qq redis-server >/dev/null; } ||
    die "apt-get could not install redis-server"
}

redis_up() {
  if redis_ping; then
    log "redis: already answering on 127.0.0.1:$REDIS_PORT (not started here; left alone by down)"
    return 0
  fi
  ensure_redis_installed
  # An apt install may have started the packaged service.
  if redis_ping; then
    log "redis: answering on 127.0.0.1:$REDIS_PORT after install (not started here)"
    return 0
  fi
  mkdir -p "$REDIS_DIR" "$STARTED_DIR"
  log "redis: starting on 127.0.0.1:$REDIS_PORT (no persistence)"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir "$REDIS_DIR" --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" </dev/null
  local i
  for ((i = 0; i < 100; i++)); do
    if redis_ping; then
      touch "$STARTED_DIR/redis"
      log "redis: ready (pid $(cat "$REDIS_DIR/redis.pid" 2>/dev/null || echo '?'))"
      return 0
    fi
    sleep 0.1
  done
  tail -n 20 "$REDIS_DIR/redis.log" >&2 || true
  die "redis did not answer PING within 10s"
}

redis_down() {
  [[ -f "$STARTED_DIR/redis" ]] || {
    log "redis: not started here; left alone"
    return 0
  }
  local pid i
  pid="$(cat "$REDIS_DIR/redis.pid" 2>/dev/null || true)"
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
    log "redis: stopping (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$STARTED_DIR/redis"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

kafka_up() {
  if bash "$KAFKA_SH" status >/dev/null 2>&1; then
    # Running from an earlier `up` (marker kept) or from a manual kafka.sh up (no marker: left alone).
    log "kafka: already running"
    return 0
  fi
  if port_open "${KAFKA_PORT:-9092}"; then
    # A broker someone else runs (another checkout, a developer's own): use it, like an existing Redis.
    log "kafka: something already listens on 127.0.0.1:${KAFKA_PORT:-9092}; using it (not started here; left alone by down)"
    return 0
  fi
  mkdir -p "$STARTED_DIR"
  bash "$KAFKA_SH" up
  touch "$STARTED_DIR/kafka"
}

kafka_down() {
  if [[ -f "$STARTED_DIR/kafka" ]]; then
    bash "$KAFKA_SH" down
    rm -f "$STARTED_DIR/kafka"
  else
    log "kafka: not started here; left alone"
  fi
}

case "${1:-}" in
up)
  # Redis first: it is quick, and a Kafka start failure then still leaves a consistent record for `down`.
  redis_up
  kafka_up
  log "ready: kafka 127.0.0.1:${KAFKA_PORT:-9092}, redis 127.0.0.1:$REDIS_PORT"
  ;;
down)
  # Both, even when one fails to stop.
  rc=0
  kafka_down || rc=1
  redis_down || rc=1
  exit "$rc"
  ;;
status)
  bash "$KAFKA_SH" status || true
  if redis_ping; then echo "redis: answering on 127.0.0.1:$REDIS_PORT"; else echo "redis: not answering"; fi
  ;;
*)
  echo "usage: $0 up|down|status" >&2
  exit 2
  ;;
esac
