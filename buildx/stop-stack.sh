#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Stops what start-registry.sh and start-engine.sh started: the local registry, then dockerd (which
# stops its containers and its containerd). Packages, images and binfmt rules stay.
# Idempotent: what is not running is skipped. Only processes named in their pid files are signalled.
set -euo pipefail

readonly REGISTRY_PID_FILE=/run/mini-init-registry.pid
readonly DOCKERD_PID_FILE=/var/run/docker.pid
readonly WAIT_SECONDS=30

fail() { echo "stop-stack.sh: $*" >&2; exit 1; }

# alive PID: the process exists and is not a zombie waiting for its parent.
alive() {
    local state
    state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ -n $state && $state != Z ]]
}

# stop PID_FILE NAME: TERM the process in PID_FILE if it is NAME, and wait for it to end.
stop() {
    local pid_file=$1 name=$2 pid waited=0
    [[ -f $pid_file ]] || return 0
    pid=$(<"$pid_file")
    if [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$name" ]]; then
        kill -TERM "$pid"
        while alive "$pid"; do
            ((waited++ < WAIT_SECONDS * 10)) || fail "$name (pid $pid) still running after ${WAIT_SECONDS}s"
            sleep 0.1
        done
    fi
    rm -f "$pid_file"
}

main() {
    [[ $(id -u) -eq 0 ]] || fail "must run as root"
    stop "$REGISTRY_PID_FILE" docker-registry
    stop "$DOCKERD_PID_FILE" dockerd
}

main "$@"
