# SPDX-License-Identifier: MIT
"""The assembler, linker and flags each architecture needs, and the Debian package of each.

Standard library only (no dataclasses either: the Dockerfile's build stage has only Debian's
python3-minimal), so the image build and `mini-init-tools build` read the same table. Tools are
named by their target triplet, so every build host (amd64 or arm64) runs the same commands."""

from typing import NamedTuple

from mini_init_tools.errors import ToolError


class Toolchain(NamedTuple):
    """How one architecture's sources become a binary."""

    arch: str
    assembler: str
    assembler_flags: tuple[str, ...]
    linker: str
    source: str  # the one assembled file under init/<arch>/
    assembler_package: str
    linker_package: str


TOOLCHAINS: dict[str, Toolchain] = {
    "amd64": Toolchain(
        "amd64", "nasm", ("-f", "elf64", "-Ox"), "x86_64-linux-gnu-ld", "main.asm",
        "nasm", "binutils-x86-64-linux-gnu",
    ),
    "arm64": Toolchain(
        "arm64", "aarch64-linux-gnu-as", (), "aarch64-linux-gnu-ld", "main.s",
        "binutils-aarch64-linux-gnu", "binutils-aarch64-linux-gnu",
    ),
    "riscv64": Toolchain(
        "riscv64", "riscv64-linux-gnu-as", ("-march=rv64gc", "-mabi=lp64d"), "riscv64-linux-gnu-ld",
        "main.s", "binutils-riscv64-linux-gnu", "binutils-riscv64-linux-gnu",
    ),
}

# Deterministic, static, stripped, W^X: text and rodata in one R+X segment, bss in one RW segment.
LINKER_FLAGS = ("-static", "-s", "--build-id=none", "-z", "noexecstack", "-z", "noseparate-code")


def toolchain_of(arch: str) -> Toolchain:
    """The toolchain of `arch`; an unknown architecture is one line naming the known ones."""
    if arch not in TOOLCHAINS:
        raise ToolError(f"unknown architecture {arch!r}: choose from {', '.join(TOOLCHAINS)}")
    return TOOLCHAINS[arch]


def builder_packages() -> tuple[str, ...]:
    """The Debian packages a machine (or the Dockerfile's build stage) needs to build every
    architecture with `python3 -m mini_init_tools.assemble`: Python, then each toolchain."""
    toolchain_packages = {
        package
        for toolchain in TOOLCHAINS.values()
        for package in (toolchain.assembler_package, toolchain.linker_package)
    }
    return ("python3-minimal", *sorted(toolchain_packages))
