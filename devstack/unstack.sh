#!/usr/bin/env bash
# Stop exactly what devstack/stack.sh started for this STATE_DIR: every process
# with a pid file in $STATE_DIR/pids (the Stratus daemons, and memcached if
# stack.sh started it), and RabbitMQ only if stack.sh recorded starting it.
# A RabbitMQ or memcached that was already running is left alone.
#
# Data stays unless --clean is given, which then removes $STATE_DIR.
# Safe to run any number of times.
set -euo pipefail

# shellcheck source=devstack/settings
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/settings"

# Seconds a process gets between SIGTERM and SIGKILL.
STOP_TIMEOUT=10

log() { printf 'unstack: %s\n' "$*"; }
die() { printf 'unstack: ERROR: %s\n' "$*" >&2; exit 1; }

usage() {
    cat <<EOF
Usage: devstack/unstack.sh [--clean]
Stops what devstack/stack.sh started for STATE_DIR=$STATE_DIR.
  --clean   also remove $STATE_DIR (database, logs, configs, instances)
EOF
}

# signal_pid SIGNAL PID: signals the process group PID leads, if it leads one
# (our daemons run under setsid and memcached -d calls setsid itself), so that
# any worker processes go too; otherwise just PID.
signal_pid() {
    local sig=$1 pid=$2 stat pgrp
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 0
    # Fields after "pid (comm) ": state ppid pgrp ...; comm may hold spaces.
    read -r _ _ pgrp _ <<<"${stat##*) }"
    if [[ "$pgrp" == "$pid" ]]; then
        kill -s "$sig" -- "-$pid" 2>/dev/null || true
    else
        kill -s "$sig" "$pid" 2>/dev/null || true
    fi
}

# stop_pidfiles PIDFILE...: SIGTERM all of them at once, wait up to
# STOP_TIMEOUT seconds, SIGKILL what is left, then remove the pid files.
stop_pidfiles() {
    local f pid deadline
    local -a running=() left=()
    for f in "$@"; do
        if pid=$(ours_pid "$f"); then
            log "stopping $(basename "$f" .pid) (pid $pid)"
            signal_pid TERM "$pid"
            running+=("$f")
        else
            log "$(basename "$f" .pid) is not running (removing its pid file)"
            rm -f "$f"
        fi
    done
    deadline=$((SECONDS + STOP_TIMEOUT))
    while ((${#running[@]})); do
        left=()
        for f in "${running[@]}"; do
            if ours_pid "$f" >/dev/null; then left+=("$f"); else rm -f "$f"; fi
        done
        running=(${left[@]+"${left[@]}"})
        ((${#running[@]})) || break
        if ((SECONDS >= deadline)); then
            for f in "${running[@]}"; do
                if pid=$(ours_pid "$f"); then
                    log "$(basename "$f" .pid) (pid $pid) ignored SIGTERM for ${STOP_TIMEOUT}s; sending SIGKILL"
                    signal_pid KILL "$pid"
                fi
            done
            # SIGKILL cannot be ignored; give the kernel a moment to reap.
            sleep 0.5
            for f in "${running[@]}"; do
                if ours_pid "$f" >/dev/null; then
                    log "WARNING: $(basename "$f" .pid) still alive after SIGKILL"
                fi
                rm -f "$f"
            done
            break
        fi
        sleep 0.2
    done
}

# VIRT=qemu: each compute host's libvirtd, after destroying its guests.
stop_libvirt_hosts() {
    local dir
    for dir in "$LIBVIRT_DIR"/compute-*; do
        [[ -d "$dir" ]] || continue
        log "stopping the libvirtd of $(basename "$dir") and its guests"
        "$LIBVIRT_HOST" stop "$dir" </dev/null || log "WARNING: stopping $dir failed"
    done
}

stop_rabbitmq() {
    [[ -f "$RABBIT_MARKER" ]] || return 0
    log "stopping RabbitMQ (stack.sh started it): rabbitmqctl stop"
    if ! timeout 60 rabbitmqctl -q stop </dev/null >/dev/null 2>&1; then
        log "rabbitmqctl stop failed; RabbitMQ was probably not running any more"
    fi
    # epmd stays running after `rabbitmqctl stop`; it is harmless and shared.
    rm -f "$RABBIT_MARKER"
}

clean_state() {
    case "$STATE_DIR" in
        "" | / | "$REPO_ROOT" | "${HOME:-/}" | "${HOME:-/}/") die "refusing to remove STATE_DIR=$STATE_DIR" ;;
    esac
    # The openrc belongs to this deployment if stack.sh wrote it for this STATE_DIR.
    if [[ -f "$OPENRC" ]] && head -n 1 "$OPENRC" | grep -qF "for $STATE_DIR. "; then
        rm -f "$OPENRC"
    fi
    log "removing $STATE_DIR"
    rm -rf "$STATE_DIR"
}

main() {
    local clean=0 arg
    for arg in "$@"; do
        case "$arg" in
            --clean) clean=1 ;;
            -h | --help) usage; exit 0 ;;
            *) usage >&2; exit 2 ;;
        esac
    done

    if [[ ! -d "$STATE_DIR" ]]; then
        log "nothing to stop: $STATE_DIR does not exist"
        return
    fi
    # Same lock as stack.sh: never stop things while it is starting them.
    exec 8<"$STATE_DIR"
    flock -w 600 8 || die "another stack.sh/unstack.sh holds $STATE_DIR"

    if [[ -d "$PID_DIR" ]]; then
        local -a daemons=()
        local f
        for f in "$PID_DIR"/*.pid; do
            if [[ -e "$f" && "$f" != "$PID_DIR/memcached.pid" ]]; then
                daemons+=("$f")
            fi
        done
        # Stratus daemons first, while the broker and cache they use are still up.
        ((${#daemons[@]} == 0)) || stop_pidfiles "${daemons[@]}"
        stop_libvirt_hosts
        [[ ! -e "$PID_DIR/memcached.pid" ]] || stop_pidfiles "$PID_DIR/memcached.pid"
        stop_rabbitmq
    fi

    if ((clean)); then
        clean_state
    else
        log "done; data kept in $STATE_DIR (use --clean to remove it)"
    fi
}

main "$@"
