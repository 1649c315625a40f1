#!/usr/bin/env bash
# A Kafka Connect worker (distributed mode, one node) with Debezium's PostgreSQL connector, from Maven Central:
# the standard alternative to the shop's own outbox relay when the log is a real Kafka cluster.
#
#   bash tools/connect/connect.sh start|stop|status|register
#
# Environment:
#   CONNECT_BOOTSTRAP_SERVERS  the Kafka cluster (default 127.0.0.1:19092, as `npm run kafka:start`)
#   CONNECT_PORT               REST port on 127.0.0.1 (default 18083)
#   CONNECT_DATA_DIR           config, logs and pid (default <repo>/.connect/<CONNECT_PORT>)
#   CONNECT_HEAP               JVM heap (default 384m)
#   DATABASE_URL               for `register`: postgres://user@host:port/db of the outbox (default the pg.sh one)
#   CONNECTOR_NAME             for `register` (default customers-outbox); also names the slot (`<name>` with _)
#
# `register` creates (or updates) the Debezium connector for the shop's `outbox` table: the outbox EventRouter routes
# each row to the topic its `topic` column names, keyed by `key`, value `value` (null: a tombstone). The worker
# runs with exactly-once source support (KIP-618) and the connector requests it. Every command is idempotent.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
libs="$here/libs"
port="${CONNECT_PORT:-18083}"
bootstrap="${CONNECT_BOOTSTRAP_SERVERS:-127.0.0.1:19092}"
data="${CONNECT_DATA_DIR:-$root/.connect/$port}"
heap="${CONNECT_HEAP:-384m}"
start_timeout_s=180
stop_timeout_s=30
service_tag=connect
# shellcheck source=../lib/service.sh
source "$here/../lib/service.sh"

[[ "$port" =~ ^[0-9]+$ ]] || die "CONNECT_PORT must be a number (got $port)"
prop() { sed -n "s|.*<$1>\(.*\)</$1>.*|\1|p" "$here/pom.xml"; }
pid_file() { echo "$data/connect.pid"; }

# HTTP through node (always here, unlike curl on a fresh CI machine): prints the body; fails unless 2xx.
http() {
  node -e '
    const [method, url, body] = process.argv.slice(1);
    fetch(url, { method, headers: { "content-type": "application/json" }, body: body || undefined, signal: AbortSignal.timeout(10000) })
      .then(async (r) => { process.stdout.write(await r.text()); process.exit(r.ok ? 0 : 1); })
      .catch(() => process.exit(1));' "$@"
}

connect_pid() { live_pid "$(pid_file)" 'ConnectDistributed'; }
connect_alive() { launched_alive "$(pid_file)"; }

# Up once the REST API lists the Debezium connector's plugin.
plugins_ready() { http GET "http://127.0.0.1:$port/connector-plugins" 2>/dev/null | grep -q PostgresConnector; }

fetch_libs() {
  if [[ -f "$libs/connect-runtime-$(prop kafka.version).jar" && -f "$libs/debezium-connector-postgres-$(prop debezium.version).jar" ]]; then
    return
  fi
  command -v mvn >/dev/null || die "maven (mvn) is needed to fetch Kafka Connect and Debezium from Maven Central"
  log "fetching Kafka Connect $(prop kafka.version) and Debezium $(prop debezium.version) into tools/connect/libs"
  copy_maven_deps "$here" "$libs"
}

write_config() {
  mkdir -p "$data/logs" "$data/tmp"
  # Internal topics are per worker port, so workers of different test runs on one broker do not meet.
  cat >"$data/worker.properties" <<PROPS
# Written by tools/connect/connect.sh on every start; edit the script, not this file.
bootstrap.servers=$bootstrap
group.id=tributary-connect-$port
listeners=http://127.0.0.1:$port
rest.advertised.host.name=127.0.0.1
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.storage.StringConverter
config.storage.topic=tributary-connect-$port-configs
offset.storage.topic=tributary-connect-$port-offsets
status.storage.topic=tributary-connect-$port-status
config.storage.replication.factor=1
offset.storage.replication.factor=1
status.storage.replication.factor=1
offset.flush.interval.ms=1000
exactly.once.source.support=enabled
PROPS
  cat >"$data/log4j2.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders>
    <File name="file" fileName="$data/logs/connect.log"><PatternLayout pattern="[%d] %p %m (%c)%n"/></File>
  </Appenders>
  <Loggers>
    <Root level="INFO"><AppenderRef ref="file"/></Root>
    <Logger name="org.apache.kafka.clients" level="WARN"/>
    <Logger name="org.apache.kafka.common" level="WARN"/>
  </Loggers>
</Configuration>
XML
}

start() {
  local pid
  if pid="$(connect_pid)"; then log "already running (pid $pid) on 127.0.0.1:$port"; return; fi
  port_open "$port" && die "port $port is taken by another process; pick another CONNECT_PORT"
  command -v java >/dev/null || die "java (17+) is needed to run Kafka Connect"
  fetch_libs
  write_config
  log "starting Kafka Connect $(prop kafka.version) + Debezium $(prop debezium.version) on 127.0.0.1:$port (Kafka $bootstrap)"
  # setsid: the worker outlives the shell that started it and is not hit by its terminal's Ctrl-C.
  setsid java "-Xms$heap" "-Xmx$heap" -XX:+UseG1GC -Djava.awt.headless=true "-Djava.io.tmpdir=$data/tmp" \
    "-Dlog4j2.configurationFile=$data/log4j2.xml" -cp "$libs/*" \
    org.apache.kafka.connect.cli.ConnectDistributed "$data/worker.properties" >"$data/logs/console.log" 2>&1 </dev/null &
  echo $! >"$(pid_file)"
  await_ready "$start_timeout_s" "Kafka Connect" plugins_ready connect_alive "$data/logs/console.log" "$data/logs/connect.log"
  log "ready: http://127.0.0.1:$port"
}

stop() {
  local pid
  if ! pid="$(connect_pid)"; then log "not running"; rm -f "$(pid_file)"; return; fi
  log "stopping (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  await_exit "$pid" $((SECONDS + stop_timeout_s))
  rm -f "$(pid_file)"
  log "stopped"
}

status() {
  local pid
  if pid="$(connect_pid)"; then log "running (pid $pid) on 127.0.0.1:$port"; return 0; fi
  log "not running"
  return 1
}

register() {
  local url="${DATABASE_URL:-postgres://tributary@127.0.0.1:${PG_PORT:-15432}/tributary}" name="${CONNECTOR_NAME:-customers-outbox}"
  [[ "$url" =~ ^postgres(ql)?://([^:@/]+)(:([^@/]*))?@([^:/]+):([0-9]+)/([^?]+)$ ]] \
    || die "DATABASE_URL must be postgres://user[:password]@host:port/db (got $url)"
  local user="${BASH_REMATCH[2]}" password="${BASH_REMATCH[4]}" host="${BASH_REMATCH[5]}" dbport="${BASH_REMATCH[6]}" db="${BASH_REMATCH[7]}"
  local slot="${name//-/_}"
  local body
  body="$(sed -e "s|@HOST@|$host|; s|@PORT@|$dbport|; s|@USER@|$user|; s|@PASSWORD@|$password|; s|@DB@|$db|; s|@SLOT@|$slot|; s|@NAME@|$name|" \
    "$here/outbox-connector.json")"
  http PUT "http://127.0.0.1:$port/connectors/$name/config" "$body" >/dev/null || die "registering the connector failed"
  log "connector $name registered (slot $slot, outbox table public.outbox)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  register) register ;;
  *) echo "usage: $0 start|stop|restart|status|register" >&2; exit 2 ;;
esac
