#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Starts dockerd without systemd, with the containerd image store (so the default `docker` buildx
# driver builds and keeps multi-platform images), and waits until `docker info` answers.
# Idempotent: a running daemon is left alone. Register binfmt (register-binfmt.sh) first.
set -euo pipefail

readonly DOCKER=/usr/bin/docker
readonly DAEMON_CONFIG=/etc/docker/daemon.json
readonly LOG=/var/log/mini-init-dockerd.log
readonly PID_FILE=/var/run/docker.pid
readonly WAIT_SECONDS=60

fail() { echo "start-engine.sh: $*" >&2; exit 1; }

daemon_answers() { "$DOCKER" info >/dev/null 2>&1; }

write_daemon_config() {
    local wanted='{"features": {"containerd-snapshotter": true}}'
    mkdir -p "$(dirname "$DAEMON_CONFIG")"
    if [[ -f $DAEMON_CONFIG ]] && ! grep -q '"containerd-snapshotter": *true' "$DAEMON_CONFIG"; then
        fail "$DAEMON_CONFIG exists without the containerd snapshotter: add $wanted to it"
    fi
    [[ -f $DAEMON_CONFIG ]] || echo "$wanted" >"$DAEMON_CONFIG"
}

# A dockerd that was killed rather than stopped leaves its pid file behind, and a new dockerd
# refuses to start while that pid names any process (a zombie or a reused pid included).
remove_stale_pid_file() {
    [[ -f $PID_FILE ]] || return 0
    local pid state
    pid=$(<"$PID_FILE")
    state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null || true)
    if [[ $(cat "/proc/$pid/comm" 2>/dev/null) != dockerd || $state == Z ]]; then
        rm -f "$PID_FILE"
    fi
}

start_daemon() {
    command -v dockerd >/dev/null || fail "dockerd missing: run buildx/install-engine.sh"
    remove_stale_pid_file
    setsid nohup dockerd >>"$LOG" 2>&1 </dev/null &
    local waited=0
    until daemon_answers; do
        kill -0 $! 2>/dev/null || fail "dockerd exited at start: see the end of $LOG"
        ((waited++ < WAIT_SECONDS * 10)) || fail "dockerd did not answer in ${WAIT_SECONDS}s: see $LOG"
        sleep 0.1
    done
}

main() {
    [[ $(id -u) -eq 0 ]] || fail "must run as root"
    write_daemon_config
    daemon_answers || start_daemon
}

main "$@"
