# SPDX-License-Identifier: MIT
"""The init's one build recipe: generate constants.inc, assemble, link, drop the section headers.

Standard library only, so the Dockerfile's build stage (Debian's python3-minimal, the assemblers
and linkers) runs exactly what `mini-init-tools build` runs on the host:

    python3 -m mini_init_tools.assemble --arch ARCH --output FILE [--work DIR]

`mini-init-tools build` calls assemble() and adds the ELF checks and the size and sha256 report."""

import argparse
import subprocess
import sys
from pathlib import Path

from mini_init_tools.asm_constants import write_constants
from mini_init_tools.elf_strip import strip_section_headers
from mini_init_tools.errors import ToolError
from mini_init_tools.paths import INIT_SOURCES
from mini_init_tools.toolchain import LINKER_FLAGS, Toolchain, toolchain_of


def assemble_command(
    toolchain: Toolchain, generated: Path, obj: Path, sources: Path = INIT_SOURCES
) -> list[str]:
    """The assembler's argv: the architecture's tree under `sources` (default: the checkout's
    init/) and the generated constants included."""
    tree = sources / toolchain.arch
    # NASM joins an include directory and a file name as text: the directory needs its slash.
    slash = "/" if toolchain.assembler == "nasm" else ""
    includes = [flag for directory in (tree, generated) for flag in ("-I", f"{directory}{slash}")]
    return [
        toolchain.assembler, *toolchain.assembler_flags, *includes,
        str(tree / toolchain.source), "-o", str(obj),
    ]


def link_command(toolchain: Toolchain, obj: Path, output: Path) -> list[str]:
    """The linker's argv: one static, stripped executable with fixed flags."""
    return [toolchain.linker, *LINKER_FLAGS, str(obj), "-o", str(output)]


def run_build_step(command: list[str], package: str) -> None:
    """Run one assembler or linker command; a missing tool or a failure is one line."""
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise ToolError(f"{command[0]} not found: apt-get install {package}") from None
    if result.returncode != 0:
        details = (result.stderr or result.stdout).strip().splitlines()
        # GNU as opens with "FILE: Assembler messages:"; the line after it names the error.
        errors = [line for line in details if "rror" in line] or details or [f"exit {result.returncode}"]
        raise ToolError(f"{command[0]} failed: {errors[0]}")


def assemble(
    arch: str, output: Path, work: Path | None = None, sources: Path = INIT_SOURCES
) -> Path:
    """Build `arch`'s init from <sources>/<arch>/ (default: the checkout's init/) into `output`.
    The intermediate files, gen/constants.inc and main.o, go to `work` (default: the directory of
    `output`)."""
    toolchain = toolchain_of(arch)
    work = output.parent if work is None else work
    output.parent.mkdir(parents=True, exist_ok=True)
    generated = write_constants(arch, work / "gen").parent
    obj = work / "main.o"
    run_build_step(
        assemble_command(toolchain, generated, obj, sources), toolchain.assembler_package
    )
    run_build_step(link_command(toolchain, obj, output), toolchain.linker_package)
    strip_section_headers(output)
    return output


def main(argv: list[str] | None = None) -> int:
    """The command line; a failure is one line on stderr and exit status 1."""
    parser = argparse.ArgumentParser(
        prog="python3 -m mini_init_tools.assemble",
        description="Generate the constants, assemble and link one architecture's init.",
    )
    parser.add_argument("--arch", required=True, help="amd64, arm64 or riscv64")
    parser.add_argument("--output", required=True, type=Path, help="the binary to write")
    parser.add_argument("--work", type=Path, help="intermediate files (default: beside --output)")
    arguments = parser.parse_args(argv)
    try:
        assemble(arguments.arch, arguments.output, arguments.work)
    except ToolError as error:
        print(f"assemble: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
