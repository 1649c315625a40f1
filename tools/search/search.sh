#!/usr/bin/env bash
# A local OpenSearch (single node) from Maven Central, for the catalog's search on the real path, tests and
# benchmarks. The distribution is the integ-test zip: core modules only (no security plugin, standard analyzers).
#
#   bash tools/search/search.sh start|stop|status|restart
#
# Environment:
#   SEARCH_PORT      HTTP port on 127.0.0.1 (default 19400); the transport port is SEARCH_PORT+1.
#   SEARCH_DATA_DIR  config, data, logs and pid file (default <repo>/.search/<SEARCH_PORT>).
#   SEARCH_HEAP      JVM heap (default 384m).
#   SEARCH_USER      the unprivileged user OpenSearch runs as when this script runs as root
#                    (default tributary-search; created as a system user when missing).
# OpenSearch refuses to run as root, hence the user. Every command is idempotent.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
port="${SEARCH_PORT:-19400}"
heap="${SEARCH_HEAP:-384m}"
run_user="${SEARCH_USER:-tributary-search}"
data="${SEARCH_DATA_DIR:-$root/.search/$port}"
start_timeout_s=120
stop_timeout_s=30
service_tag=search
# shellcheck source=../lib/service.sh
source "$here/../lib/service.sh"

[[ "$port" =~ ^[0-9]+$ ]] || die "SEARCH_PORT must be a number (got $port)"
transport_port=$((port + 1))

version() { sed -n 's|.*<opensearch.version>\(.*\)</opensearch.version>.*|\1|p' "$here/pom.xml"; }
dist_dir="$here/dist"
home="$dist_dir/opensearch-$(version)"
pid_file() { echo "$data/opensearch.pid"; }
as_root() { [[ "$(id -u)" == "0" ]]; }

# The node answers HTTP with a green or yellow cluster (curl when there is one, else an open port will do).
healthy() {
  if command -v curl >/dev/null; then
    curl -fs "http://127.0.0.1:$port/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1
  else
    port_open "$port"
  fi
}

search_pid() { live_pid "$(pid_file)" 'opensearch'; }

fetch_dist() {
  [[ -x "$home/bin/opensearch" ]] && return
  command -v mvn >/dev/null || die "maven (mvn) is needed to fetch OpenSearch $(version) from Maven Central"
  log "fetching OpenSearch $(version) from Maven Central into tools/search/dist"
  # target/ holds the plugin's "already unpacked" markers: without it the unpack really happens.
  rm -rf "$dist_dir" "$here/target"
  (cd "$here" && mvn -q -B dependency:unpack-dependencies -DincludeTypes=zip -DoutputDirectory="$dist_dir") \
    || die "mvn dependency:unpack-dependencies failed"
  [[ -x "$home/bin/opensearch" ]] || die "the unpacked distribution has no $home/bin/opensearch"
}

ensure_user() {
  as_root || return 0
  if ! id "$run_user" >/dev/null 2>&1; then
    log "creating the system user $run_user (OpenSearch refuses to run as root)"
    useradd --system --no-create-home --shell /usr/sbin/nologin "$run_user" || die "useradd $run_user failed"
  fi
}

# The prefix that runs a command as the user OpenSearch runs as (nothing unless root).
user_prefix() {
  if as_root; then printf '%s\n' setpriv --reuid="$run_user" --regid="$(id -g "$run_user")" --init-groups --; fi
}

as_search_user() {
  local prefix
  mapfile -t prefix < <(user_prefix)
  "${prefix[@]}" "$@"
}

# The data folder: the default unless the search user cannot write there (a repository under a private home such
# as /root), then one under /var/tmp. Resolved the same way by every command, so stop and status find the pid.
resolve_data() {
  as_root && id "$run_user" >/dev/null 2>&1 || return 0
  mkdir -p "$data" 2>/dev/null && chown "$run_user" "$data" 2>/dev/null || true
  if ! as_search_user test -w "$data" 2>/dev/null; then
    data="/var/tmp/tributary-search/data-$port"
    mkdir -p "$data"
    chown "$run_user" "$data"
  fi
}

# The user must reach the distribution and the data folder; a repository under a private home (e.g. /root)
# cannot be traversed by it, so then both move to /var/tmp.
place_for_user() {
  as_root || return 0
  if ! as_search_user test -r "$home/lib" -a -x "$home/bin/opensearch"; then
    local copy="/var/tmp/tributary-search/opensearch-$(version)"
    if [[ ! -x "$copy/bin/opensearch" ]]; then
      log "the repository is not readable by $run_user; copying the distribution to $copy"
      mkdir -p "$(dirname "$copy")"
      rm -rf "$copy" && cp -a "$home" "$copy"
    fi
    home="$copy"
  fi
  resolve_data
  chmod -R a+rX "$home"
}

write_config() {
  mkdir -p "$data/config/jvm.options.d" "$data/data" "$data/logs" "$data/tmp"
  cp "$home/config/log4j2.properties" "$data/config/log4j2.properties"
  cat >"$data/config/opensearch.yml" <<YML
# Written by tools/search/search.sh on every start; edit the script, not this file.
cluster.name: tributary-search
node.name: tributary-search-$port
path.data: $data/data
path.logs: $data/logs
network.host: 127.0.0.1
http.port: $port
transport.port: $transport_port
discovery.type: single-node
# A development node on a shared machine: no read-only indices when the disk fills up, few threads.
cluster.routing.allocation.disk.threshold_enabled: false
node.processors: 1
YML
  # Only what the node needs; the distribution's file writes GC logs and heap dumps relative to the working folder.
  cat >"$data/config/jvm.options" <<OPTS
-Xms$heap
-Xmx$heap
-XX:+UseG1GC
-Djava.io.tmpdir=\${OPENSEARCH_TMPDIR}
-XX:ErrorFile=$data/logs/hs_err_pid%p.log
-Xlog:disable
-Xlog:all=warning:stderr
18-:-Djava.security.manager=allow
-Djava.util.concurrent.ForkJoinPool.common.threadFactory=org.opensearch.secure_sm.SecuredForkJoinWorkerThreadFactory
OPTS
  if as_root; then chown -R "$run_user" "$data"; fi
}

java_home() {
  local java
  java="$(command -v java)" || die "java (11+; 17 here) is needed to run OpenSearch"
  java="$(readlink -f "$java")"
  dirname "$(dirname "$java")"
}

start() {
  local pid
  if pid="$(search_pid)"; then
    log "already running (pid $pid) on 127.0.0.1:$port"
    return
  fi
  port_open "$port" && die "port $port is taken by another process; pick another SEARCH_PORT"
  fetch_dist
  ensure_user
  place_for_user
  write_config
  local prefix jhome
  mapfile -t prefix < <(user_prefix)
  jhome="$(java_home)"
  log "starting OpenSearch $(version) on 127.0.0.1:$port (heap $heap, user $(as_root && echo "$run_user" || id -un), data in $data)"
  # setsid: the node outlives the shell that started it and is not hit by its terminal's Ctrl-C; every step execs,
  # so the pid is the JVM's in the end. bin/opensearch finds its helpers relative to the working folder: cd first.
  # setsid forks when the caller leads a process group (job control on), so $! is not the node: the launched shell
  # writes its own pid, which every later exec keeps.
  rm -f "$(pid_file)"
  # Only the node runs in the background, with all its output in the log: nothing keeps the caller's pipes open.
  (
    cd "$home"
    setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$(pid_file)" \
      env OPENSEARCH_PATH_CONF="$data/config" OPENSEARCH_TMPDIR="$data/tmp" JAVA_HOME="$jhome" OPENSEARCH_JAVA_HOME="$jhome" \
      "${prefix[@]}" bin/opensearch >"$data/logs/console.log" 2>&1 </dev/null &
  )
  for _ in $(seq 50); do [[ -s "$(pid_file)" ]] && break; sleep 0.1; done
  await_ready "$start_timeout_s" OpenSearch healthy search_pid "$data/logs/console.log"
  log "ready: OPENSEARCH_URL=http://127.0.0.1:$port"
}

stop() {
  local pid
  if ! pid="$(search_pid)"; then
    log "not running"
    rm -f "$(pid_file)"
    return
  fi
  log "stopping (pid $pid)"
  # The pid is the launching shell's; its process group holds the JVM.
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  await_exit "$pid" $((SECONDS + stop_timeout_s)) group
  rm -f "$(pid_file)"
  log "stopped"
}

status() {
  local pid
  if pid="$(search_pid)"; then
    if healthy; then
      log "running (pid $pid) on 127.0.0.1:$port"
    else
      log "starting (pid $pid), not answering on 127.0.0.1:$port yet"
    fi
    return 0
  fi
  log "not running"
  return 1
}

case "${1:-}" in
  start|stop|restart|status) resolve_data ;;
esac
case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
esac
