#!/usr/bin/env bash
# A private PostgreSQL for the project (Debian's postgresql package), with logical decoding on, for the
# customers outbox, its relay and the reporting sink. Leaves any other server on the machine alone.
#
#   bash tools/pg/pg.sh start|stop|status|restart|destroy|url
#
# Environment:
#   PG_PORT      port on 127.0.0.1 (default 15432)
#   PG_DATA_DIR  cluster folder (default <repo>/.pg/<PG_PORT>; /var/tmp/tributary-pg/data-<PG_PORT> when the
#                server's user cannot reach the repository)
#   PG_USER      the unprivileged system user the server runs as when this script runs as root (default postgres;
#                created when missing). PostgreSQL refuses to run as root, hence the user.
#
# The cluster has one database and one role, both `tributary`, trusted on 127.0.0.1 only (a development server):
#   DATABASE_URL=postgres://tributary@127.0.0.1:<PG_PORT>/tributary
# Every command is idempotent.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
port="${PG_PORT:-15432}"
run_user="${PG_USER:-postgres}"
data="${PG_DATA_DIR:-$root/.pg/$port}"
start_timeout_s=60

log() { printf '[pg] %s\n' "$*"; }
die() { printf '[pg] ERROR: %s\n' "$*" >&2; exit 1; }

[[ "$port" =~ ^[0-9]+$ ]] || die "PG_PORT must be a number (got $port)"
as_root() { [[ "$(id -u)" == "0" ]]; }

# Debian installs the binaries per major version under /usr/lib/postgresql/<major>/bin; the newest wins.
bin_dir() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [[ -n "$d" && -x "$d/initdb" ]]; then echo "$d"; return; fi
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then dirname "$(command -v initdb)"; return; fi
  return 1
}

ensure_package() {
  bin_dir >/dev/null && return
  as_root || die "PostgreSQL is not installed; run as root (or: apt-get install postgresql) first"
  command -v apt-get >/dev/null || die "PostgreSQL is not installed and there is no apt-get to install it"
  log "installing Debian's postgresql package"
  # Only the binaries are wanted: the package's own cluster (on 5432) must not be created or started.
  mkdir -p /etc/postgresql-common
  grep -qs '^create_main_cluster' /etc/postgresql-common/createcluster.conf 2>/dev/null \
    || echo 'create_main_cluster = false' >>/etc/postgresql-common/createcluster.conf
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null \
    || die "apt-get install postgresql failed"
  bin_dir >/dev/null || die "postgresql installed, but no initdb found"
}

ensure_user() {
  as_root || return 0
  if ! id "$run_user" >/dev/null 2>&1; then
    log "creating the system user $run_user (PostgreSQL refuses to run as root)"
    useradd --system --no-create-home --shell /usr/sbin/nologin "$run_user" || die "useradd $run_user failed"
  fi
}

as_pg_user() {
  if as_root; then setpriv --reuid="$run_user" --regid="$(id -g "$run_user")" --init-groups -- "$@"; else "$@"; fi
}

# The data folder: the default unless the server's user cannot write there (a repository under a private home
# such as /root), then one under /var/tmp. Resolved the same way by every command, so stop and status find it.
resolve_data() {
  as_root && id "$run_user" >/dev/null 2>&1 || return 0
  if [[ -z "${PG_DATA_DIR:-}" ]]; then
    mkdir -p "$data" 2>/dev/null && chown "$run_user" "$data" 2>/dev/null || true
    if ! as_pg_user test -w "$data" 2>/dev/null; then
      data="/var/tmp/tributary-pg/data-$port"
    fi
  fi
  mkdir -p "$data"
  chown "$run_user" "$data"
  chmod 700 "$data"
}

pg_ctl_() { as_pg_user "$(bin_dir)/pg_ctl" -D "$data" "$@"; }

running() { [[ -f "$data/PG_VERSION" ]] && pg_ctl_ status >/dev/null 2>&1; }

url() { echo "postgres://tributary@127.0.0.1:$port/tributary"; }

init_cluster() {
  [[ -f "$data/PG_VERSION" ]] && return
  log "initdb into $data"
  mkdir -p "$(dirname "$data")"
  as_pg_user "$(bin_dir)/initdb" -D "$data" -U tributary --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$data.initdb.log" 2>&1 \
    || { cat "$data.initdb.log" >&2; die "initdb failed"; }
  # Written once: logical decoding for the relay, a small footprint on a shared machine, no Unix socket in /run.
  cat >>"$data/postgresql.conf" <<CONF

# tools/pg/pg.sh
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = ''
wal_level = logical
max_replication_slots = 16
max_wal_senders = 16
max_connections = 100
shared_buffers = 32MB
fsync = on
logging_collector = off
CONF
  cat >"$data/pg_hba.conf" <<HBA
# tools/pg/pg.sh: trusted on the loopback only, replication connections included.
host all         all 127.0.0.1/32 trust
host replication all 127.0.0.1/32 trust
HBA
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  ensure_package
  ensure_user
  resolve_data
  if running; then log "already running on 127.0.0.1:$port"; echo "DATABASE_URL=$(url)"; return; fi
  port_open "$port" && die "port $port is taken by another process; pick another PG_PORT"
  init_cluster
  log "starting PostgreSQL on 127.0.0.1:$port (data in $data)"
  # -w waits until it accepts connections; the server is detached from this shell's session by pg_ctl.
  pg_ctl_ -w -t "$start_timeout_s" -l "$data/server.log" start >/dev/null || { tail -n 30 "$data/server.log" >&2 || true; die "PostgreSQL failed to start"; }
  if ! as_pg_user "$(bin_dir)/psql" -h 127.0.0.1 -p "$port" -U tributary -d postgres -Atqc "select 1 from pg_database where datname='tributary'" | grep -q 1; then
    as_pg_user "$(bin_dir)/createdb" -h 127.0.0.1 -p "$port" -U tributary tributary
  fi
  log "ready: DATABASE_URL=$(url)"
}

stop() {
  resolve_data
  if ! running; then log "not running"; return; fi
  log "stopping"
  # fast: disconnect clients (the relay's replication connection would hold a smart shutdown forever).
  pg_ctl_ -w -t 30 -m fast stop >/dev/null || pg_ctl_ -m immediate stop >/dev/null
  log "stopped"
}

# Stops the server and deletes its cluster (tests use a throw-away cluster per run).
destroy() {
  stop
  resolve_data
  rm -rf "$data" "$data.initdb.log"
  log "removed $data"
}

status() {
  resolve_data
  if running; then log "running on 127.0.0.1:$port: DATABASE_URL=$(url)"; return 0; fi
  log "not running"
  return 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  destroy) destroy ;;
  url) url ;;
  *) echo "usage: $0 start|stop|status|restart|destroy|url" >&2; exit 2 ;;
esac
