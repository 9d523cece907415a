# SPDX-License-Identifier: MIT
# Sourced by the buildx/ scripts that install Debian packages: what is already installed.

# installed PACKAGE...: true when every named package is fully installed.
installed() {
    local package
    for package in "$@"; do
        dpkg-query -W -f '${db:Status-Status}' "$package" 2>/dev/null | grep -qx installed || return 1
    done
}
