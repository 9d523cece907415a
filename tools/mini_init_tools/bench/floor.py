"""The floor contender: the least an init can do (fork, exec, wait, forward), built from floor/."""

from pathlib import Path

from mini_init_tools.assemble import link_command, run_build_step
from mini_init_tools.bench.contenders import FLOOR, Contender
from mini_init_tools.elf_strip import strip_section_headers
from mini_init_tools.paths import REPO_ROOT
from mini_init_tools.toolchain import toolchain_of

FLOOR_SOURCE = Path(__file__).parent / "floor" / "floor.asm"
FLOOR_ARCH = "amd64"  # the bench runs natively on the host


def build_floor(directory: Path) -> Contender:
    """Assemble and link floor.asm into `directory` with the init's own linker flags."""
    toolchain = toolchain_of(FLOOR_ARCH)
    obj, binary = directory / "floor.o", directory / "floor"
    directory.mkdir(parents=True, exist_ok=True)
    run_build_step(
        [toolchain.assembler, *toolchain.assembler_flags, str(FLOOR_SOURCE), "-o", str(obj)],
        toolchain.assembler_package,
    )
    run_build_step(link_command(toolchain, obj, binary), toolchain.linker_package)
    strip_section_headers(binary)
    return Contender(
        FLOOR, binary, (), version=f"{FLOOR_SOURCE.relative_to(REPO_ROOT)} (this checkout)"
    )
