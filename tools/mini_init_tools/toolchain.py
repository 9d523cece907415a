"""The assemblers and linkers each architecture needs, and the Debian package that ships each."""

import shutil
from dataclasses import dataclass

from mini_init_tools.errors import ToolError


@dataclass(frozen=True)
class Toolchain:
    """How one architecture's sources become a binary."""

    arch: str
    assembler: str
    linker: str
    source: str  # the one assembled file under init/<arch>/
    assembler_package: str
    linker_package: str


TOOLCHAINS: dict[str, Toolchain] = {
    "amd64": Toolchain("amd64", "nasm", "ld", "main.asm", "nasm", "binutils"),
    "arm64": Toolchain(
        "arm64",
        "aarch64-linux-gnu-as",
        "aarch64-linux-gnu-ld",
        "main.s",
        "binutils-aarch64-linux-gnu",
        "binutils-aarch64-linux-gnu",
    ),
}


def require_tools(toolchain: Toolchain) -> None:
    """Fail with the Debian package to install when the assembler or linker is missing."""
    for program, package in (
        (toolchain.assembler, toolchain.assembler_package),
        (toolchain.linker, toolchain.linker_package),
    ):
        if shutil.which(program) is None:
            raise ToolError(
                f"{program} not found (needed for {toolchain.arch}): apt-get install {package}"
            )
