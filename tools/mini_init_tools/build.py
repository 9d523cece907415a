# SPDX-License-Identifier: MIT
"""`mini-init-tools build`: the recipe of assemble.py for each architecture, then the ELF checks and
the size and sha256 of each binary."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from mini_init_tools.abi_table import ARCHITECTURES
from mini_init_tools.assemble import assemble
from mini_init_tools.elf_check import require_good_binary
from mini_init_tools.errors import ToolError
from mini_init_tools.paths import BUILD_DIR, INIT_SOURCES


@dataclass(frozen=True)
class BuiltBinary:
    """One architecture's init, as the build leaves it."""

    arch: str
    path: Path
    size: int
    sha256: str
    object_file: Path  # the linked object, symbols and all (routine_sizes reads it)


def build_arch(
    arch: str, *, output_dir: Path | None = None, sources: Path = INIT_SOURCES
) -> BuiltBinary:
    """Build and check one architecture's init from <sources>/<arch>/ (default: the checkout's
    init/) into output_dir/<arch>/mini-init (default: the checkout's build/)."""
    work = (output_dir or BUILD_DIR) / arch
    linked = assemble(arch, work / "mini-init.linked", sources=sources)
    report = require_good_binary(linked, arch)
    binary = work / "mini-init"
    linked.replace(binary)  # atomic: a test running the old binary never sees a missing file
    digest = hashlib.sha256(binary.read_bytes()).hexdigest()
    return BuiltBinary(
        arch=arch, path=binary, size=report.size, sha256=digest, object_file=work / "main.o"
    )


def build_all(
    architectures: tuple[str, ...] = ARCHITECTURES, *, output_dir: Path | None = None
) -> list[BuiltBinary]:
    """Build every requested architecture into output_dir (default: build/), failing on the first
    problem."""
    unknown = [arch for arch in architectures if arch not in ARCHITECTURES]
    if unknown:
        raise ToolError(
            f"unknown architecture {unknown[0]!r}: choose from {', '.join(ARCHITECTURES)}"
        )
    return [build_arch(arch, output_dir=output_dir) for arch in architectures]
