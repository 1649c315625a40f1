#!/usr/bin/env bash
# A local Apache Kafka (KRaft, broker+controller in one JVM) from Maven Central jars, for tests and benchmarks.
#
#   bash tools/kafka/kafka.sh start|stop|status|restart
#
# Environment:
#   KAFKA_PORT      client listener port (default 19092, not 9092, to stay clear of any other Kafka);
#                   node N listens on KAFKA_PORT+2(N-1), its controller on the port after that.
#   KAFKA_BROKERS   1 (default) or 3: three combined broker+controller nodes forming one cluster.
#   KAFKA_DATA_DIR  where data, logs and pid files live (default <repo>/.kafka/<KAFKA_PORT>, so brokers on
#                   different ports never share state).
#   KAFKA_HEAP      JVM heap per node (default 512m).
#   KAFKA_SASL_PORT optional: also a SASL_PLAINTEXT listener (SCRAM-SHA-256) on this port (single node only), for
#                   tests against an authenticating cluster. Its user (KAFKA_SASL_USER, default "tributary") is
#                   created when the storage is formatted (kafka-storage --add-scram), with the password from
#                   KAFKA_SASL_PASSWORD or, when unset, a random one kept in $KAFKA_DATA_DIR/sasl-password (mode 600).
#                   The password is never printed or logged. Decided at format time: a data directory formatted
#                   without the user must be removed first.
# Every command is idempotent: starting a running broker or stopping a stopped one succeeds and says so.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
libs="$here/libs"
port="${KAFKA_PORT:-19092}"
brokers="${KAFKA_BROKERS:-1}"
data="${KAFKA_DATA_DIR:-$root/.kafka/$port}"
heap="${KAFKA_HEAP:-512m}"
sasl_port="${KAFKA_SASL_PORT:-}"
sasl_user="${KAFKA_SASL_USER:-tributary}"
start_timeout_s=90
stop_timeout_s=30
service_tag=kafka
# shellcheck source=../lib/service.sh
source "$here/../lib/service.sh"

case "$brokers" in 1|3) ;; *) die "KAFKA_BROKERS must be 1 or 3 (got $brokers)";; esac
[[ "$port" =~ ^[0-9]+$ ]] || die "KAFKA_PORT must be a number (got $port)"
if [[ -n "$sasl_port" ]]; then
  [[ "$sasl_port" =~ ^[0-9]+$ ]] || die "KAFKA_SASL_PORT must be a number (got $sasl_port)"
  ((brokers == 1)) || die "KAFKA_SASL_PORT needs KAFKA_BROKERS=1"
  [[ "$sasl_user" =~ ^[A-Za-z0-9._-]+$ ]] || die "KAFKA_SASL_USER may hold only letters, digits, '.', '_' and '-'"
fi

kafka_version() { sed -n 's|.*<kafka.version>\(.*\)</kafka.version>.*|\1|p' "$here/pom.xml"; }

client_port() { echo $((port + 2 * ($1 - 1))); }
controller_port() { echo $((port + 2 * ($1 - 1) + 1)); }
node_dir() { echo "$data/node-$1"; }
pid_file() { echo "$(node_dir "$1")/kafka.pid"; }
node_pid() { live_pid "$(pid_file "$1")" 'kafka\.Kafka'; }
node_alive() { launched_alive "$(pid_file "$1")"; }

fetch_libs() {
  local version
  version="$(kafka_version)"
  if [[ -f "$libs/kafka_2.13-$version.jar" && -f "$libs/kafka-tools-$version.jar" ]]; then
    return
  fi
  command -v mvn >/dev/null || die "maven (mvn) is needed to fetch Kafka $version from Maven Central"
  log "fetching Kafka $version jars from Maven Central into tools/kafka/libs"
  copy_maven_deps "$here" "$libs"
}

write_config() {
  local n="$1" dir voters="" i rf min_isr
  dir="$(node_dir "$n")"
  mkdir -p "$dir/data" "$dir/logs" "$dir/tmp"
  for ((i = 1; i <= brokers; i++)); do
    voters+="${voters:+,}$i@127.0.0.1:$(controller_port "$i")"
  done
  rf=$brokers
  min_isr=$((brokers > 1 ? 2 : 1))
  local sasl_listener="" sasl_map="" sasl_config=""
  if [[ -n "$sasl_port" ]]; then
    sasl_listener=",SASL_PLAINTEXT://127.0.0.1:$sasl_port"
    sasl_map=",SASL_PLAINTEXT:SASL_PLAINTEXT"
    # Users' SCRAM credentials live in the cluster metadata (added at format time); the login module needs none.
    sasl_config="# SASL_PLAINTEXT listener with SCRAM-SHA-256 (KAFKA_SASL_PORT); no authorizer: any authenticated user may do anything.
listener.name.sasl_plaintext.sasl.enabled.mechanisms=SCRAM-SHA-256
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;"
  fi
  cat >"$dir/server.properties" <<EOF
# Written by tools/kafka/kafka.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=$n
controller.quorum.voters=$voters
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:$(client_port "$n"),CONTROLLER://127.0.0.1:$(controller_port "$n")$sasl_listener
advertised.listeners=PLAINTEXT://127.0.0.1:$(client_port "$n")$sasl_listener
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT$sasl_map
log.dirs=$dir/data
$sasl_config

# Kafka Streams creates its internal topics explicitly and tests create theirs: a typo must fail, not auto-create.
auto.create.topics.enable=false
num.partitions=1
default.replication.factor=$rf
min.insync.replicas=$min_isr

# Internal topics: one partition each makes the first group join and the first transaction fast.
offsets.topic.num.partitions=1
offsets.topic.replication.factor=$rf
transaction.state.log.num.partitions=1
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$min_isr
share.coordinator.state.topic.num.partitions=1
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$min_isr

# Fast tests: no wait for more members before the first rebalance, short sessions allowed.
group.initial.rebalance.delay.ms=0
group.min.session.timeout.ms=1000

# Small machine (CI has 2 cores, the heap is small): fewer threads, a small cleaner buffer (default 128 MB).
num.network.threads=2
num.io.threads=4
background.threads=4
log.cleaner.threads=1
log.cleaner.dedupe.buffer.size=16777216
EOF
  cat >"$dir/log4j2.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders>
    <Console name="console" target="SYSTEM_OUT">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
      <ThresholdFilter level="WARN" onMatch="ACCEPT" onMismatch="DENY"/>
    </Console>
    <RollingFile name="file" fileName="$dir/logs/server.log" filePattern="$dir/logs/server.log.%i">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
      <SizeBasedTriggeringPolicy size="50MB"/>
      <DefaultRolloverStrategy max="3"/>
    </RollingFile>
  </Appenders>
  <Loggers>
    <Logger name="kafka.request.logger" level="WARN"/>
    <Logger name="org.apache.kafka.controller" level="INFO"/>
    <Logger name="state.change.logger" level="WARN"/>
    <Root level="INFO">
      <AppenderRef ref="console"/>
      <AppenderRef ref="file"/>
    </Root>
  </Loggers>
</Configuration>
EOF
}

java_opts() {
  local dir
  dir="$(node_dir "$1")"
  echo "-Xms$heap -Xmx$heap -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true" \
    "-Djava.io.tmpdir=$dir/tmp -Dlog4j2.configurationFile=$dir/log4j2.xml -Dkafka.logs.dir=$dir/logs"
}

format_storage() {
  local n="$1" dir cluster_id
  dir="$(node_dir "$n")"
  if [[ -f "$dir/data/meta.properties" ]]; then
    if [[ -n "$sasl_port" && "$(cat "$data/sasl-user" 2>/dev/null)" != "$sasl_user" ]]; then
      die "$data was formatted without SASL user $sasl_user; remove it (or use another KAFKA_DATA_DIR) to add the SASL listener"
    fi
    return
  fi
  if [[ ! -f "$data/cluster.id" ]]; then
    # A Kafka Uuid is 16 random bytes in unpadded URL-safe base64 (22 characters).
    head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$data/cluster.id"
  fi
  cluster_id="$(cat "$data/cluster.id")"
  log "formatting storage of node $n (cluster id $cluster_id)"
  local scram=()
  if [[ -n "$sasl_port" ]]; then
    log "adding SCRAM-SHA-256 user $sasl_user for the SASL listener on 127.0.0.1:$sasl_port"
    scram=(--add-scram "SCRAM-SHA-256=[name=$sasl_user,password=$(sasl_password)]")
  fi
  # shellcheck disable=SC2046
  java $(java_opts "$n") -cp "$libs/*" kafka.tools.StorageTool format \
    --cluster-id="$cluster_id" -c "$dir/server.properties" --ignore-formatted "${scram[@]}" >"$dir/logs/format.log" 2>&1 \
    || { scrub "$dir/logs/format.log" >&2; die "formatting storage of node $n failed"; }
  scrub_in_place "$dir/logs/format.log"
  if [[ -n "$sasl_port" ]]; then echo "$sasl_user" >"$data/sasl-user"; else rm -f "$data/sasl-user"; fi
}

# The SASL user's password: KAFKA_SASL_PASSWORD, else one generated once and kept beside the data (mode 600).
sasl_password() {
  if [[ -n "${KAFKA_SASL_PASSWORD:-}" ]]; then
    printf '%s' "$KAFKA_SASL_PASSWORD"
    return
  fi
  local f="$data/sasl-password"
  if [[ ! -s "$f" ]]; then
    (umask 077 && head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$f")
  fi
  cat "$f"
}

# A log with the SASL password (should a tool ever echo its arguments) replaced by ***.
scrub() {
  if [[ -n "$sasl_port" ]]; then
    local secret
    secret="$(sasl_password)"
    SECRET="$secret" perl -pe 's/\Q$ENV{SECRET}\E/***/g' "$1"
  else
    cat "$1"
  fi
}
scrub_in_place() {
  local tmp="$1.tmp"
  scrub "$1" >"$tmp" && mv "$tmp" "$1"
}

launch() {
  local n="$1" dir pid
  dir="$(node_dir "$n")"
  if pid="$(node_pid "$n")"; then
    log "node $n already running (pid $pid)"
    return
  fi
  if port_open "$(client_port "$n")" || port_open "$(controller_port "$n")"; then
    die "port $(client_port "$n") or $(controller_port "$n") is taken by another process; pick another KAFKA_PORT"
  fi
  if [[ -n "$sasl_port" ]] && port_open "$sasl_port"; then
    die "port $sasl_port is taken by another process; pick another KAFKA_SASL_PORT"
  fi
  write_config "$n"
  format_storage "$n"
  log "starting node $n on 127.0.0.1:$(client_port "$n") (controller :$(controller_port "$n"), heap $heap)"
  # setsid: the broker outlives the shell that started it and is not hit by its terminal's Ctrl-C.
  # shellcheck disable=SC2046
  setsid java $(java_opts "$n") -cp "$libs/*" kafka.Kafka "$dir/server.properties" \
    >"$dir/logs/console.log" 2>&1 </dev/null &
  echo $! >"$(pid_file "$n")"
}

wait_ready() {
  local n="$1" dir
  dir="$(node_dir "$n")"
  # The client listener opens only once the broker has caught up with the metadata log and is ready to serve.
  await_ready "$start_timeout_s" "node $n" "port_open $(client_port "$n")" "node_alive $n" "$dir/logs/server.log" "$dir/logs/console.log"
}

wait_port() {
  local deadline=$((SECONDS + start_timeout_s))
  until port_open "$1"; do
    ((SECONDS < deadline)) || die "port $1 did not open in time"
    sleep 0.3
  done
}

bootstrap() {
  local i s=""
  for ((i = 1; i <= brokers; i++)); do s+="${s:+,}127.0.0.1:$(client_port "$i")"; done
  echo "$s"
}

start() {
  local i
  command -v java >/dev/null || die "java (17+) is needed to run Kafka"
  mkdir -p "$data"
  fetch_libs
  # All nodes start before any is awaited: with three voters no node gets ready without a controller quorum.
  for ((i = 1; i <= brokers; i++)); do launch "$i"; done
  for ((i = 1; i <= brokers; i++)); do wait_ready "$i"; done
  log "ready: KAFKA_BOOTSTRAP_SERVERS=$(bootstrap) (data in $data)"
  if [[ -n "$sasl_port" ]]; then
    wait_port "$sasl_port"
    log "SASL_PLAINTEXT (SCRAM-SHA-256) on 127.0.0.1:$sasl_port, user $sasl_user (password: KAFKA_SASL_PASSWORD or $data/sasl-password)"
  fi
}

stop() {
  local i pid deadline pids=()
  # All nodes get SIGTERM together: stopped one by one, the last ones would lose their controller quorum and
  # stall in controlled shutdown.
  for ((i = 1; i <= brokers; i++)); do
    if pid="$(node_pid "$i")"; then
      log "stopping node $i (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    else
      log "node $i not running"
    fi
  done
  deadline=$((SECONDS + stop_timeout_s))
  for pid in "${pids[@]}"; do await_exit "$pid" "$deadline"; done
  for ((i = 1; i <= brokers; i++)); do rm -f "$(pid_file "$i")"; done
  ((${#pids[@]} == 0)) || log "stopped"
}

status() {
  local i pid running=0
  for ((i = 1; i <= brokers; i++)); do
    if pid="$(node_pid "$i")"; then
      if port_open "$(client_port "$i")"; then
        log "node $i running (pid $pid) on 127.0.0.1:$(client_port "$i")"
      else
        log "node $i starting (pid $pid), port $(client_port "$i") not open yet"
      fi
      running=$((running + 1))
    else
      log "node $i not running"
    fi
  done
  ((running == brokers))
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
esac
