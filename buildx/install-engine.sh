#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Docker engine, buildx, compose, a local registry and QEMU from Debian packages.
# Docker, containerd, buildx and compose come from trixie (bookworm's docker.io is too old for
# multi-platform builds), through a trixie source with a low pin so nothing else is upgraded;
# so does QEMU (10.0: bookworm's 7.2 refuses PR_SET_CHILD_SUBREAPER for emulated programs, so
# EP_SUBREAPER could not work under arm64 emulation). Everything else comes from bookworm.
# Idempotent: does nothing when every package is installed (QEMU at least at MINIMUM_QEMU).
set -euo pipefail

readonly TRIXIE_PACKAGES=(docker.io docker-cli containerd docker-buildx docker-compose
    qemu-user qemu-user-binfmt qemu-user-static)
readonly BOOKWORM_PACKAGES=(runc iptables ca-certificates curl docker-registry)
readonly MINIMUM_QEMU=1:10
readonly TRIXIE_SOURCE=/etc/apt/sources.list.d/mini-init-trixie.sources
readonly TRIXIE_PIN=/etc/apt/preferences.d/mini-init-trixie

fail() { echo "install-engine.sh: $*" >&2; exit 1; }

# shellcheck source=packages.sh
source "$(dirname "${BASH_SOURCE[0]}")/packages.sh"

recent_qemu() {
    local version
    version=$(dpkg-query -W -f '${Version}' qemu-user-static 2>/dev/null) || return 1
    dpkg --compare-versions "$version" ge "$MINIMUM_QEMU"
}

# The mirror this machine already uses for bookworm, so no host name is written here.
debian_mirror() {
    apt-get indextargets --format '$(REPO_URI) $(CODENAME)' 'Created-By: Packages' \
        | awk '$2 == "bookworm" { print $1; exit }'
}

add_trixie_source() {
    [[ -f $TRIXIE_SOURCE && -f $TRIXIE_PIN ]] && return
    local mirror
    mirror=$(debian_mirror)
    [[ -n $mirror ]] || { apt-get update -qq; mirror=$(debian_mirror); }
    [[ -n $mirror ]] || fail "no bookworm apt source found to derive the trixie source from"
    cat >"$TRIXIE_SOURCE" <<SOURCE
# Added by mini-init buildx/install-engine.sh: Docker 26 and buildx from trixie (pinned low).
Types: deb
URIs: $mirror
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCE
    cat >"$TRIXIE_PIN" <<PIN
# Added by mini-init buildx/install-engine.sh: take from trixie only what is asked for by name.
Package: *
Pin: release n=trixie
Pin-Priority: 100
PIN
}

main() {
    [[ $(id -u) -eq 0 ]] || fail "must run as root"
    if installed "${TRIXIE_PACKAGES[@]}" "${BOOKWORM_PACKAGES[@]}" && recent_qemu; then
        return
    fi
    add_trixie_source
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || fail "apt-get update failed"
    apt-get install -y -qq --no-install-recommends \
        "${TRIXIE_PACKAGES[@]/%//trixie}" "${BOOKWORM_PACKAGES[@]}" >/dev/null \
        || fail "apt-get install failed (see apt's message above)"
}

main "$@"
