#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Sets up a fresh Debian 12 machine, as root, for building, imaging and testing mini-init: the
# assemblers and linkers (amd64 and aarch64), this checkout's tool (`pip install -e '.[test,bench]'`),
# then the Docker stack with QEMU arm64 emulation (`mini-init-tools stack up`). Needs only
# Debian's and PyPI's package servers. Idempotent: a second run only checks, in a few seconds.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly REPO_ROOT
# The assemblers and linkers, and the peers `mini-init-tools bench` measures against.
readonly BUILD_PACKAGES=(nasm binutils binutils-aarch64-linux-gnu tini dumb-init catatonit)
readonly PYTHON=${PYTHON:-python3}
# The hash of pyproject.toml the tool was last installed from, for this checkout.
readonly PIP_STAMP=$REPO_ROOT/build/bootstrap/pip-installed

fail() { echo "bootstrap.sh: $*" >&2; exit 1; }

# shellcheck source=packages.sh
source "$REPO_ROOT/buildx/packages.sh"

install_build_packages() {
    installed "${BUILD_PACKAGES[@]}" && return
    apt-get update -qq || fail "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${BUILD_PACKAGES[@]}" >/dev/null || fail "apt-get install ${BUILD_PACKAGES[*]} failed"
}

tool_installed_from_here() {
    [[ -f $PIP_STAMP && $(<"$PIP_STAMP") == "$(sha256sum <"$REPO_ROOT/pyproject.toml")" ]] || return 1
    "$PYTHON" -c 'import sys, mini_init_tools.paths as paths; sys.exit(str(paths.REPO_ROOT) != sys.argv[1])' \
        "$REPO_ROOT" 2>/dev/null
}

install_tool() {
    tool_installed_from_here && return
    "$PYTHON" -m pip install --quiet --root-user-action=ignore -e "$REPO_ROOT[test,bench]" \
        || fail "pip install -e '$REPO_ROOT[test,bench]' failed"
    # pyenv only sees new console scripts (mini-init-tools, pytest) after a rehash.
    if command -v pyenv >/dev/null; then pyenv rehash; fi
    mkdir -p "$(dirname "$PIP_STAMP")"
    sha256sum <"$REPO_ROOT/pyproject.toml" >"$PIP_STAMP"
}

main() {
    [[ $(id -u) -eq 0 ]] || fail "must run as root (it installs packages and starts dockerd)"
    install_build_packages
    install_tool
    "$PYTHON" -m mini_init_tools stack up
}

main "$@"
