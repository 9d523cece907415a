#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Registers QEMU user-mode emulation for arm64 and riscv64 in binfmt_misc, so their binaries (and
# containers: the F flag keeps the interpreter open for other mount namespaces) run on this host.
# Run it BEFORE dockerd starts: buildkit reads the list of platforms it can build once, at start.
# Idempotent: an already registered architecture is left as it is.
set -euo pipefail

readonly BINFMT_DIR=/proc/sys/fs/binfmt_misc
readonly ARCHITECTURES=(aarch64 riscv64)

fail() { echo "register-binfmt.sh: $*" >&2; exit 1; }

mount_binfmt_misc() {
    [[ -e $BINFMT_DIR/register ]] && return
    mount -t binfmt_misc binfmt_misc "$BINFMT_DIR" \
        || fail "cannot mount binfmt_misc on $BINFMT_DIR (is this a privileged container?)"
}

register() {
    local arch=$1 rule=/usr/lib/binfmt.d/qemu-$1.conf line
    [[ -e $BINFMT_DIR/qemu-$arch ]] && return
    [[ -f $rule ]] || fail "$rule missing: run buildx/install-engine.sh"
    while IFS= read -r line; do
        [[ -z $line || $line == \#* ]] && continue
        printf '%s' "$line" >"$BINFMT_DIR/register" || fail "the kernel refused the qemu-$arch rule"
    done <"$rule"
}

main() {
    [[ $(id -u) -eq 0 ]] || fail "must run as root"
    mount_binfmt_misc
    local arch
    for arch in "${ARCHITECTURES[@]}"; do
        register "$arch"
    done
}

main "$@"
