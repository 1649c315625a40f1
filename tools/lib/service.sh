# Helpers shared by the scripts that run a local service for tests and benchmarks (tools/kafka/kafka.sh,
# tools/connect/connect.sh, tools/search/search.sh). Sourced, not run: the caller sets `service_tag` (the prefix of
# its messages) first and keeps its own `set -euo pipefail`.

log() { printf '[%s] %s\n' "$service_tag" "$*"; }
die() { printf '[%s] ERROR: %s\n' "$service_tag" "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Prints the pid in pid file $1 when that process runs and its command line matches the grep pattern $2. The pid
# file alone is not trusted: after a reboot the pid may belong to an unrelated process.
live_pid() {
  local f="$1" pattern="$2" pid
  [[ -f "$f" ]] || return 1
  pid="$(cat "$f")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$pattern" || return 1
  echo "$pid"
}

# Whether the process whose pid is in file $1, launched by this script moments ago, still runs. Startup checks use
# this instead of live_pid: between the fork and the exec the child's command line is still this shell's, so under
# load the pattern check would call a process that is just starting gone. A zombie (exited, not yet reaped) has exited.
launched_alive() {
  local pid state
  pid="$(cat "$1" 2>/dev/null)" && [[ -n "$pid" ]] || return 1
  state="$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$pid/stat" 2>/dev/null)" || return 1
  [[ -n "$state" && "$state" != Z ]]
}

# The runtime dependencies of the pom.xml in folder $1, from Maven Central, into folder $2 (emptied first).
copy_maven_deps() {
  local pom_dir="$1" out="$2"
  rm -rf "$out"
  (cd "$pom_dir" && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$out") \
    || die "mvn dependency:copy-dependencies failed"
}

# Waits until the command `$3` succeeds, checking every 0.3 s. Fails, with the last lines of the log files given
# after the fourth argument, when the command `$4` says that `$2` (a name for messages) has exited or after $1 s.
# The commands are word-split: a function name and plain arguments.
await_ready() {
  local timeout_s="$1" what="$2" ready="$3" alive="$4" deadline
  shift 4
  deadline=$((SECONDS + timeout_s))
  until $ready; do
    if ! $alive >/dev/null; then
      # The first errors say why; the tail only shows the shutdown they caused.
      log "$what exited during startup; its first errors, then the last log lines:"
      grep -h -m 10 -E 'ERROR|FATAL' "$@" >&2 2>/dev/null || true
      tail -n 40 "$@" >&2 2>/dev/null || true
      die "$what failed to start"
    fi
    if ((SECONDS >= deadline)); then
      log "$what not ready after ${timeout_s}s; last log lines:"
      tail -n 40 "$@" >&2 2>/dev/null || true
      die "$what did not start in time"
    fi
    sleep 0.3
  done
}

# Waits until process $1 has exited; at SECONDS = $2 it gets SIGKILL (its whole process group when $3 is `group`).
await_exit() {
  local pid="$1" deadline="$2" scope="${3:-}"
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      log "pid $pid still running; sending SIGKILL"
      if [[ "$scope" == group ]]; then
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      else
        kill -KILL "$pid" 2>/dev/null || true
      fi
      return
    fi
    sleep 0.2
  done
}
