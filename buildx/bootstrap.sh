#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Sets up a fresh Debian 12 machine, as root, for building, imaging and testing mini-init: first
# everything but the Docker engine (install-tools.sh: the toolchain, git, and this tool in .venv),
# then the Docker stack with QEMU emulation and the local registry (`mini-init-tools stack
# up`). Needs only Debian's and PyPI's package servers. Idempotent: a second run only checks.
set -euo pipefail

BUILDX_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly BUILDX_DIR
# The tool as install-tools.sh installs it, so nothing needs to be activated first.
readonly TOOL=$BUILDX_DIR/../.venv/bin/mini-init-tools

fail() { echo "bootstrap.sh: $*" >&2; exit 1; }

main() {
    [[ $(id -u) -eq 0 ]] || fail "must run as root (it installs packages and starts dockerd)"
    bash "$BUILDX_DIR/install-tools.sh"
    "$TOOL" stack up
}

main "$@"
