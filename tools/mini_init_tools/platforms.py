# SPDX-License-Identifier: MIT
"""Docker platform names for the init's architectures, and which of them the distroless bases have."""

import os
from collections.abc import Iterable
from typing import Final

from mini_init_tools.abi_table import ARCHITECTURES

# What gcr.io/distroless/static-debian12 is published for (distroless's static/config.bzl); the
# same list is docker-bake.hcl's DISTROLESS_PLATFORMS. Debian 12 has no riscv64 port.
DISTROLESS_PLATFORMS: Final = (
    "linux/amd64", "linux/arm64", "linux/arm/v7", "linux/s390x", "linux/ppc64le",
)


# Each architecture's machine name: what `uname -m` says there, and QEMU's qemu-<name>.
MACHINE: Final = {"amd64": "x86_64", "arm64": "aarch64", "riscv64": "riscv64"}
# The architecture this machine runs natively ("" on one the init is not written for).
NATIVE_ARCH: Final = {machine: arch for arch, machine in MACHINE.items()}.get(os.uname().machine, "")


def linux_platforms(architectures: Iterable[str]) -> tuple[str, ...]:
    """linux/ARCH for each architecture (Docker's TARGETARCH names are the init's)."""
    return tuple(f"linux/{arch}" for arch in architectures)


def arch_of(platform: str) -> str:
    """The architecture of a linux/ARCH platform."""
    return platform.removeprefix("linux/")


def distroless_platforms(platforms: Iterable[str]) -> tuple[str, ...]:
    """Those of `platforms` that the distroless bases are published for, in the same order."""
    return tuple(platform for platform in platforms if platform in DISTROLESS_PLATFORMS)


# Every platform the init is built for: one per architecture.
PLATFORMS: Final = linux_platforms(ARCHITECTURES)
