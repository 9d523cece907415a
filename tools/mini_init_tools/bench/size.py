"""Binary size on disk of each init, and of mini-init's arm64 build (sizes need no emulation)."""

from pathlib import Path

from mini_init_tools.bench.contenders import Contender

MINI_INIT_ARM64 = "mini-init (arm64)"


def measure_sizes(contenders: list[Contender], arm64_binary: Path) -> dict[str, int]:
    """Bytes of each contender's binary, plus mini-init's arm64 binary."""
    sizes = {contender.name: contender.binary.stat().st_size for contender in contenders}
    sizes[MINI_INIT_ARM64] = arm64_binary.stat().st_size
    return sizes
