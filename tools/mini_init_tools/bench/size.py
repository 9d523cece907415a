"""Binary size on disk of each init, and of mini-init's builds for the other architectures (sizes
need no emulation)."""

from pathlib import Path

from mini_init_tools.abi_table import ARCHITECTURES
from mini_init_tools.bench.contenders import Contender

# The contenders run natively (amd64); mini-init's other builds are only weighed, each by this name.
OTHER_ARCHITECTURES = tuple(arch for arch in ARCHITECTURES if arch != "amd64")


def mini_init_of(arch: str) -> str:
    """The size table's name for mini-init's build for `arch` (not amd64)."""
    return f"mini-init ({arch})"


def measure_sizes(contenders: list[Contender], other_binaries: dict[str, Path]) -> dict[str, int]:
    """Bytes of each contender's binary, plus mini-init's binary for each of the other
    architectures (`other_binaries`, by architecture)."""
    sizes = {contender.name: contender.binary.stat().st_size for contender in contenders}
    for arch, binary in other_binaries.items():
        sizes[mini_init_of(arch)] = binary.stat().st_size
    return sizes
