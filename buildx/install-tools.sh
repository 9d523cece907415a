#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs everything but the Docker engine on a Debian 12 machine, as root: the assemblers and
# linkers (amd64, arm64, riscv64), git, the bench's peers, mmdebstrap, then this checkout's tool
# in a virtual environment made with Debian's Python, .venv (`pip install -e '.[test,bench]'`).
# After it, `.venv/bin/mini-init-tools build` and `.venv/bin/pytest tests/init` work without
# activating anything. Needs only Debian's and PyPI's package servers. Idempotent: a second run
# only checks.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly REPO_ROOT
readonly PACKAGES=(
    # the assemblers and linkers of every architecture (tools/mini_init_tools/toolchain.py)
    nasm binutils-x86-64-linux-gnu binutils-aarch64-linux-gnu binutils-riscv64-linux-gnu
    git python3 python3-venv # this tool, in its own virtual environment
    busybox-static           # busybox ash and a static shell for tests/init (terminal, PATH)
    tini dumb-init catatonit # the peers `mini-init-tools bench` measures against
    mmdebstrap               # the clean Debian 12 of tests/tools/test_fresh_debian.py
)
# Debian's Python, whatever else `python3` names on this machine.
readonly SYSTEM_PYTHON=/usr/bin/python3
readonly VENV=$REPO_ROOT/.venv
# The hash of pyproject.toml the tool was last installed from into this virtual environment.
readonly PIP_STAMP=$VENV/mini-init-tools.installed

fail() { echo "install-tools.sh: $*" >&2; exit 1; }

# shellcheck source=packages.sh
source "$REPO_ROOT/buildx/packages.sh"

install_packages() {
    installed "${PACKAGES[@]}" && return
    apt-get update -qq || fail "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${PACKAGES[@]}" >/dev/null || fail "apt-get install ${PACKAGES[*]} failed"
}

# A virtual environment whose Python no longer runs (Debian's was upgraded) is made again.
make_venv() {
    "$VENV/bin/python" -c '' 2>/dev/null && return
    "$SYSTEM_PYTHON" -m venv --clear "$VENV" || fail "$SYSTEM_PYTHON -m venv $VENV failed"
}

install_tool() {
    local wanted
    wanted=$(sha256sum <"$REPO_ROOT/pyproject.toml")
    [[ -f $PIP_STAMP && $(<"$PIP_STAMP") == "$wanted" ]] && return
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        -e "${REPO_ROOT}[test,bench]" || fail "pip install -e '.[test,bench]' into $VENV failed"
    echo "$wanted" >"$PIP_STAMP"
}

main() {
    [[ $(id -u) -eq 0 ]] || fail "must run as root (it installs Debian packages)"
    install_packages
    make_venv
    install_tool
}

main "$@"
