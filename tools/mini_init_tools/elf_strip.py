# SPDX-License-Identifier: MIT
"""Drops the section header table (and .shstrtab) from a linked static ELF64 executable.

The kernel loads an executable from its program headers alone; after `ld -s` the section headers
only name the sections for tools such as objdump, and cost a few hundred bytes of an init whose
budget is 8 KiB. This is what ELFkickers' sstrip does, in the standard library only (the image
build runs it). The bytes every PT_LOAD segment maps are never touched: only what follows the
last of them is cut, and the header's section fields are zeroed."""

import struct
from pathlib import Path

_ELF_MAGIC = b"\x7fELF"
_ELFCLASS64 = 2
_ELFDATA2LSB = 1
# ELF64 header fields (little endian) this needs: e_phoff and e_shoff at 32 and 40, e_phentsize
# and e_phnum at 54, e_shnum and e_shstrndx at 60.
_PHOFF_SHOFF = struct.Struct("<QQ")
_PH_COUNTS = struct.Struct("<HH")
_SECTION_COUNTS = struct.Struct("<HH")
# One ELF64 program header: p_type, p_flags, p_offset, p_vaddr, p_paddr, p_filesz.
_PROGRAM_HEADER = struct.Struct("<IIQQQQ")


class NotAnExecutable(ValueError):
    """The file is not a little-endian ELF64 file this module knows how to strip."""


def _end_of_segments(image: bytes) -> int:
    """The first file offset past every program header's bytes and past the headers themselves."""
    phoff: int
    phentsize: int
    phnum: int
    offset: int
    filesz: int
    phoff, _ = _PHOFF_SHOFF.unpack_from(image, 32)
    phentsize, phnum = _PH_COUNTS.unpack_from(image, 54)
    end = phoff + phentsize * phnum
    for index in range(phnum):
        _, _, offset, _, _, filesz = _PROGRAM_HEADER.unpack_from(image, phoff + index * phentsize)
        if filesz:  # a segment with no file bytes (.bss, the stack) may point past the end
            end = max(end, offset + filesz)
    return end


def strip_section_headers(path: Path) -> int:
    """Cut the section header table and what follows the segments; return the bytes saved."""
    image = path.read_bytes()
    if image[:4] != _ELF_MAGIC or image[4] != _ELFCLASS64 or image[5] != _ELFDATA2LSB:
        raise NotAnExecutable(f"{path} is not a little-endian ELF64 file")
    end = _end_of_segments(image)
    stripped = bytearray(image[:end])
    struct.pack_into("<Q", stripped, 40, 0)  # e_shoff
    _SECTION_COUNTS.pack_into(stripped, 60, 0, 0)  # e_shnum, e_shstrndx
    path.write_bytes(bytes(stripped))
    return len(image) - len(stripped)
