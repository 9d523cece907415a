#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Starts the local registry on 127.0.0.1:5000 (config: registry.yml beside this script) as a plain
# process and waits until it answers. `localhost:5000` is trusted without TLS by Docker and buildx.
# Idempotent: a registry that already answers is left alone.
set -euo pipefail

readonly CONFIG=$(dirname "$(readlink -f "$0")")/registry.yml
readonly ENDPOINT=http://127.0.0.1:5000/v2/
readonly LOG=/var/log/mini-init-registry.log
readonly PID_FILE=/run/mini-init-registry.pid
readonly WAIT_SECONDS=30

fail() { echo "start-registry.sh: $*" >&2; exit 1; }

registry_answers() { curl -fsS -o /dev/null --max-time 2 "$ENDPOINT" 2>/dev/null; }

start_registry() {
    command -v docker-registry >/dev/null || fail "docker-registry missing: run buildx/install-engine.sh"
    setsid nohup docker-registry serve "$CONFIG" >>"$LOG" 2>&1 </dev/null &
    echo $! >"$PID_FILE"
    local waited=0
    until registry_answers; do
        kill -0 $! 2>/dev/null || fail "docker-registry exited at start: see the end of $LOG"
        ((waited++ < WAIT_SECONDS * 10)) || fail "registry did not answer in ${WAIT_SECONDS}s: see $LOG"
        sleep 0.1
    done
}

main() {
    registry_answers || start_registry
}

main "$@"
