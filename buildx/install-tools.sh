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
    gcc libc6-dev            # tini's own test suite: its sigconf-test, in C
    libcap-dev python3-dev   # ... and python-prctl, which pip builds from source
    mmdebstrap               # the clean Debian 12 of tests/tools/test_fresh_debian.py
)
# Debian's Python, whatever else `python3` names on this machine.
readonly SYSTEM_PYTHON=/usr/bin/python3
readonly VENV=$REPO_ROOT/.venv
# The hash of pyproject.toml the tool was last installed from into this virtual environment.
readonly PIP_STAMP=$VENV/mini-init-tools.installed
# tini's own test suite, from its source in Debian's archive (tests/init/test_tini_suite.py runs it
# against mini-init; mini_init_tools.paths.TINI_SOURCE names the same file).
readonly TINI_SOURCE=$REPO_ROOT/build/peers/tini_0.19.0.orig.tar.gz
readonly TINI_SOURCE_POOL=pool/main/t/tini/tini_0.19.0.orig.tar.gz
readonly TINI_SOURCE_SHA256=0fd35a7030052acd9f58948d1d900fe1e432ee37103c5561554408bdac6bbf0d

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

# The bookworm archive apt itself uses here (a mirror or a proxy may stand for deb.debian.org).
bookworm_archive() {
    apt-get indextargets --format '$(REPO_URI)' 'Created-By: Packages' 'Codename: bookworm' \
        'Component: main' | head -n 1
}

fetch_tini_source() {
    [[ -f $TINI_SOURCE ]] && sha256sum --check --status <<<"$TINI_SOURCE_SHA256  $TINI_SOURCE" && return
    local archive
    archive=$(bookworm_archive)
    [[ -n $archive ]] || fail "no bookworm archive in apt's sources: cannot fetch tini's source"
    mkdir -p "$(dirname "$TINI_SOURCE")"
    /usr/lib/apt/apt-helper -qq -o APT::Sandbox::User=root download-file \
        "$archive$TINI_SOURCE_POOL" "$TINI_SOURCE" "SHA256:$TINI_SOURCE_SHA256" >/dev/null ||
        fail "could not fetch $archive$TINI_SOURCE_POOL"
}

main() {
    [[ $(id -u) -eq 0 ]] || fail "must run as root (it installs Debian packages)"
    install_packages
    make_venv
    install_tool
    fetch_tini_source
}

main "$@"
