#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft, combined broker + controller) for tests, CI and benchmarks.
# There is no Docker on these machines and no Kafka package in Debian or npm, so the broker comes from Maven
# Central as jars (scripts/kafka/pom.xml) and runs as a plain JVM process on 127.0.0.1.
#
#   bash scripts/kafka/kafka.sh up       fetch (once), format a fresh data dir, start, wait until ready
#   bash scripts/kafka/kafka.sh down     stop the broker this script started (by pid) and drop its data
#   bash scripts/kafka/kafka.sh status   exit 0 when running, 3 when not
#   bash scripts/kafka/kafka.sh fetch    only fetch the jars
#
# Environment (all optional):
#   MODSTREAM_SERVICES_DIR   state root (default <project>/.services, git-ignored); Kafka lives in ./kafka
#   KAFKA_PORT               client listener port (default 9092)
#   KAFKA_CONTROLLER_PORT    KRaft controller port (default 9093)
#   KAFKA_HEAP_OPTS          JVM heap (default -Xms256m -Xmx512m)
#   KAFKA_START_TIMEOUT      seconds to wait for "Kafka Server started" (default 120)
#
# `up` is idempotent: a broker already started by this script returns at once; the jars are fetched only
# when missing. Every start formats a fresh data dir with a random cluster id, so each run starts clean.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_DIR="$(cd "$SCRIPT_DIR/../.." && pwd)"
STATE_DIR="${MODSTREAM_SERVICES_DIR:-$PROJECT_DIR/.services}/kafka"
LIBS_DIR="$STATE_DIR/libs"
DATA_DIR="$STATE_DIR/data"
CONFIG_FILE="$STATE_DIR/server.properties"
LOG_FILE="$STATE_DIR/kafka.log"
PID_FILE="$STATE_DIR/kafka.pid"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-120}"
POM="$SCRIPT_DIR/pom.xml"

log() { echo "[kafka] $*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

# The version the pom pins; the libs folder is tagged with it so a bumped pom re-fetches.
kafka_version() { sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM" | head -n1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The pid recorded by `up`, only if that process is still our broker (guards against pid reuse).
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka' || return 1
  echo "$pid"
}

fetch() {
  local version marker tmp
  version="$(kafka_version)"
  [[ -n "$version" ]] || die "cannot read <kafka.version> from $POM"
  marker="$LIBS_DIR/.fetched-$version"
  if [[ -f "$marker" ]]; then
    return 0
  fi
  command -v mvn >/dev/null || die "mvn (Apache Maven) is required to fetch Kafka jars"
  command -v java >/dev/null || die "java (17+) is required to run Kafka"
  log "fetching kafka_2.13 $version and its runtime dependencies from Maven Central"
  mkdir -p "$STATE_DIR"
  # Collect into a temp folder and swap it in, so an interrupted fetch never leaves a half classpath.
  tmp="$(mktemp -d "$STATE_DIR/libs.tmp.XXXXXX")"
  # Maven's output goes to a file (it is long and colourful) and is shown only when the fetch fails.
  if ! mvn -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$tmp" >"$STATE_DIR/maven.log" 2>&1 </dev/null; then
    tail -n 40 "$STATE_DIR/maven.log" >&2 || true
    rm -rf "$tmp"
    die "Maven could not fetch the Kafka jars (log: $STATE_DIR/maven.log)"
  fi
  ls "$tmp"/kafka_2.13-"$version".jar >/dev/null 2>&1 || {
    rm -rf "$tmp"
    die "kafka_2.13-$version.jar missing after fetch"
  }
  touch "$tmp/.fetched-$version"
  rm -rf "$LIBS_DIR"
  mv "$tmp" "$LIBS_DIR"
  log "jars in $LIBS_DIR ($(find "$LIBS_DIR" -name '*.jar' | wc -l) files)"
}

write_config() {
  cat >"$CONFIG_FILE" <<EOF
# Written by scripts/kafka/kafka.sh at every start: a light single-node KRaft broker for tests and CI.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$DATA_DIR

# One node: every internal topic at replication factor 1 ("group coordinator not available" otherwise).
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1

# Quick for tests: one offsets partition (50 slows the first group join), no initial rebalance delay,
# short minimum session so a killed consumer leaves its group quickly.
offsets.topic.num.partitions=1
transaction.state.log.num.partitions=1
group.initial.rebalance.delay.ms=0
group.min.session.timeout.ms=1000

# Light on a 2-core machine: few threads, a small cleaner buffer (the default reserves 128 MiB).
num.network.threads=2
num.io.threads=2
background.threads=2
num.recovery.threads.per.data.dir=1
log.cleaner.threads=1
log.cleaner.dedupe.buffer.size=4194304

num.partitions=1
auto.create.topics.enable=true
delete.topic.enable=true
EOF
}

up() {
  local pid
  if pid="$(running_pid)"; then
    log "already running (pid $pid) on 127.0.0.1:$KAFKA_PORT"
    return 0
  fi
  if port_open "$KAFKA_PORT" || port_open "$KAFKA_CONTROLLER_PORT"; then
    die "port $KAFKA_PORT or $KAFKA_CONTROLLER_PORT on 127.0.0.1 is taken by a process this script did not start"
  fi
  fetch
  mkdir -p "$STATE_DIR"
  rm -f "$PID_FILE"
  rm -rf "$DATA_DIR"
  write_config

  local classpath="$LIBS_DIR/*" cluster_id
  # A KRaft cluster id is 16 random bytes, base64url without padding.
  cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  log "formatting $DATA_DIR (cluster id $cluster_id)"
  if ! java -Xmx256m -cp "$classpath" kafka.tools.StorageTool format -t "$cluster_id" -c "$CONFIG_FILE" \
    >"$LOG_FILE" 2>&1 </dev/null; then
    tail -n 30 "$LOG_FILE" >&2 || true
    die "storage format failed"
  fi

  log "starting broker on 127.0.0.1:$KAFKA_PORT (log: $LOG_FILE)"
  # Detached: own session, stdin from /dev/null, output to a file, so a CI step never waits on its descriptors.
  # shellcheck disable=SC2086 # KAFKA_HEAP_OPTS is a list of JVM flags
  setsid java $KAFKA_HEAP_OPTS -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -Dorg.slf4j.simpleLogger.showDateTime=true \
    -Dorg.slf4j.simpleLogger.dateTimeFormat="yyyy-MM-dd'T'HH:mm:ss.SSS" \
    -cp "$classpath" kafka.Kafka "$CONFIG_FILE" </dev/null >>"$LOG_FILE" 2>&1 &
  pid=$!
  echo "$pid" >"$PID_FILE"

  local deadline=$((SECONDS + KAFKA_START_TIMEOUT))
  until grep -q 'Kafka Server started' "$LOG_FILE" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      tail -n 40 "$LOG_FILE" >&2 || true
      die "broker exited during start-up (log above)"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 40 "$LOG_FILE" >&2 || true
      stop_pid "$pid"
      rm -f "$PID_FILE"
      die "broker not ready after ${KAFKA_START_TIMEOUT}s (log above)"
    fi
    sleep 0.5
  done
  log "ready (pid $pid) on 127.0.0.1:$KAFKA_PORT"
}

# TERM lets the broker shut down cleanly; KILL only if it hangs.
stop_pid() {
  local pid="$1" i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 60; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.5
  done
  log "broker (pid $pid) ignored TERM for 30s; killing"
  kill -KILL "$pid" 2>/dev/null || true
}

down() {
  local pid
  if pid="$(running_pid)"; then
    log "stopping broker (pid $pid)"
    stop_pid "$pid"
    log "stopped"
  else
    log "not running (nothing to stop)"
  fi
  rm -f "$PID_FILE"
  rm -rf "$DATA_DIR"
}

status() {
  local pid
  if pid="$(running_pid)"; then
    echo "kafka: running (pid $pid) on 127.0.0.1:$KAFKA_PORT"
    return 0
  fi
  echo "kafka: not running"
  return 3
}

case "${1:-}" in
up) up ;;
down) down ;;
status) status ;;
fetch) fetch ;;
*)
  echo "usage: $0 up|down|status|fetch" >&2
  exit 2
  ;;
esac
