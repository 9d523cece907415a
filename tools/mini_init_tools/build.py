"""Assembles and links the init for each architecture and verifies the result."""

import hashlib
import subprocess
from dataclasses import dataclass
from pathlib import Path

from mini_init_tools.abi_table import ARCHITECTURES
from mini_init_tools.asm_constants import write_constants
from mini_init_tools.elf_check import require_good_binary
from mini_init_tools.errors import ToolError
from mini_init_tools.paths import BUILD_DIR, INIT_SOURCES, binary_path
from mini_init_tools.toolchain import TOOLCHAINS, Toolchain, require_tools

# Deterministic, static, stripped, W^X: text and rodata in one R+X segment, bss in one RW segment.
LINKER_FLAGS = ("-static", "-s", "--build-id=none", "-z", "noexecstack", "-z", "noseparate-code")


@dataclass(frozen=True)
class BuiltBinary:
    """One architecture's init, as the build leaves it."""

    arch: str
    path: Path
    size: int
    sha256: str


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        details = (result.stderr or result.stdout).strip().splitlines()
        first = details[0] if details else f"exit {result.returncode}"
        raise ToolError(f"{command[0]} failed: {first}")


def _assemble_command(toolchain: Toolchain, generated: Path, output: Path) -> list[str]:
    sources = INIT_SOURCES / toolchain.arch
    if toolchain.arch == "amd64":
        return [
            toolchain.assembler, "-f", "elf64", "-Ox",
            "-I", f"{sources}/", "-I", f"{generated}/",
            str(sources / toolchain.source), "-o", str(output),
        ]
    return [
        toolchain.assembler, "-I", str(sources), "-I", str(generated),
        str(sources / toolchain.source), "-o", str(output),
    ]


def build_arch(arch: str, *, output_dir: Path | None = None) -> BuiltBinary:
    """Generate constants, assemble, link and check one architecture's init into
    output_dir/<arch>/mini-init (default: the checkout's build/)."""
    toolchain = TOOLCHAINS[arch]
    require_tools(toolchain)
    work = (output_dir or BUILD_DIR) / arch
    generated = write_constants(arch, work / "gen").parent
    obj = work / "main.o"
    linked = work / "mini-init.linked"
    _run(_assemble_command(toolchain, generated, obj))
    _run([toolchain.linker, *LINKER_FLAGS, str(obj), "-o", str(linked)])
    report = require_good_binary(linked, arch)
    binary = binary_path(arch) if output_dir is None else work / "mini-init"
    linked.replace(binary)  # atomic: a test running the old binary never sees a missing file
    digest = hashlib.sha256(binary.read_bytes()).hexdigest()
    return BuiltBinary(arch=arch, path=binary, size=report.size, sha256=digest)


def build_all(
    architectures: tuple[str, ...] = ARCHITECTURES, *, output_dir: Path | None = None
) -> list[BuiltBinary]:
    """Build every requested architecture into output_dir (default: build/), failing on the first
    problem."""
    unknown = [arch for arch in architectures if arch not in TOOLCHAINS]
    if unknown:
        raise ToolError(f"unknown architecture {unknown[0]!r}: choose from {', '.join(TOOLCHAINS)}")
    return [build_arch(arch, output_dir=output_dir) for arch in architectures]
