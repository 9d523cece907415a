# SPDX-License-Identifier: MIT
"""Checks a built init against the properties SPEC.md section 10 promises, with pyelftools."""

from dataclasses import dataclass
from pathlib import Path

from elftools.elf.constants import P_FLAGS
from elftools.elf.elffile import ELFFile

from mini_init_tools.errors import ToolError

SIZE_LIMIT_BYTES = 8192
MACHINES = {"amd64": "EM_X86_64", "arm64": "EM_AARCH64", "riscv64": "EM_RISCV"}


@dataclass(frozen=True)
class ElfReport:
    """What the check found; `problems` is empty for a good binary."""

    size: int
    problems: tuple[str, ...]


def inspect_binary(path: Path, arch: str) -> ElfReport:
    """List every way `path` falls short of a static, stripped, W^X, small init for `arch`."""
    problems: list[str] = []
    size = path.stat().st_size
    if size > SIZE_LIMIT_BYTES:
        problems.append(f"{size} bytes, over the {SIZE_LIMIT_BYTES}-byte budget")
    with path.open("rb") as stream:
        elf = ELFFile(stream)
        if elf["e_machine"] != MACHINES[arch]:
            problems.append(f"machine is {elf['e_machine']}, expected {MACHINES[arch]}")
        if elf["e_type"] != "ET_EXEC":
            problems.append(f"type is {elf['e_type']}, expected a static ET_EXEC")
        segment_types = [segment["p_type"] for segment in elf.iter_segments()]
        if "PT_INTERP" in segment_types or "PT_DYNAMIC" in segment_types:
            problems.append("has an interpreter or dynamic section: not static")
        if "PT_GNU_STACK" not in segment_types:
            problems.append("no PT_GNU_STACK: the stack would be executable")
        for segment in elf.iter_segments():
            flags = segment["p_flags"]
            if segment["p_type"] == "PT_GNU_STACK" and flags & P_FLAGS.PF_X:
                problems.append("PT_GNU_STACK is executable")
            if flags & P_FLAGS.PF_W and flags & P_FLAGS.PF_X:
                problems.append(f"{segment['p_type']} segment is writable and executable")
        if elf.get_section_by_name(".symtab") is not None:
            problems.append("not stripped: has a symbol table")
    return ElfReport(size=size, problems=tuple(problems))


def require_good_binary(path: Path, arch: str) -> ElfReport:
    """inspect_binary, failing with every problem in one line."""
    report = inspect_binary(path, arch)
    if report.problems:
        raise ToolError(f"{path}: " + "; ".join(report.problems))
    return report
