# SPDX-License-Identifier: MIT
"""The bytes each routine and each read-only datum of a built init takes, from its object file.

The stripped binary has no symbols; the object file `assemble` leaves beside it (main.o) does. A
label's size is the distance to the next label of its section (or the section's end); local labels
(NASM's `.name`, GNU as' `.Lname`) belong to the routine they are in."""

from dataclasses import dataclass
from pathlib import Path

from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

from mini_init_tools.errors import ToolError

SECTIONS = (".text", ".rodata")


@dataclass(frozen=True)
class LabelSize:
    """One label of the code or read-only data, and its bytes."""

    section: str
    name: str
    size: int


def _is_local(name: str) -> bool:
    # NASM names local labels routine.label; GNU as emits $x/$d mapping symbols on AArch64.
    return not name or "." in name or name.startswith("$")


def label_sizes(object_file: Path) -> list[LabelSize]:
    """Every routine of .text and datum of .rodata in `object_file`, largest first."""
    with object_file.open("rb") as stream:
        elf = ELFFile(stream)
        indexes = {elf.get_section(i).name: i for i in range(elf.num_sections())}
        symbols = elf.get_section_by_name(".symtab")
        if not isinstance(symbols, SymbolTableSection):
            raise ToolError(
                f"{object_file} has no symbol table: rebuild it with mini-init-tools build"
            )
        sizes: list[LabelSize] = []
        for section in SECTIONS:
            index = indexes.get(section)
            if index is None:
                continue
            end = elf.get_section(index)["sh_size"]
            starts = sorted(
                {
                    (symbol["st_value"], symbol.name)
                    for symbol in symbols.iter_symbols()
                    if symbol["st_shndx"] == index
                    and symbol["st_info"]["type"] in ("STT_NOTYPE", "STT_FUNC", "STT_OBJECT")
                    and not _is_local(symbol.name)
                }
            )
            for (start, name), following in zip(starts, [*starts[1:], (end, "")]):
                sizes.append(LabelSize(section, name, following[0] - start))
    return sorted(sizes, key=lambda label: (-label.size, label.section, label.name))
