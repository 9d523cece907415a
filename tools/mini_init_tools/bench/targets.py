"""mini-init's targets judged from a results file: met, or not met with the number and why."""

from dataclasses import dataclass
from typing import Any

from mini_init_tools.bench.contenders import MINI_INIT, REFERENCE
from mini_init_tools.bench.size import OTHER_ARCHITECTURES, mini_init_of

SIZE_TARGET_BYTES = 4096
MEMORY_TARGET_KB = 16
SPAWN_TARGET_RATIO = 0.4


@dataclass(frozen=True)
class Verdict:
    """One target, the measured figure, and "met" or "not met: <number>, <reason>"."""

    target: str
    measured: str
    verdict: str


def _judge(met: bool, number: str, reason: str) -> str:
    return "met" if met else f"not met: {number}, {reason}"


def _size_verdict(label: str, size: int) -> Verdict:
    return Verdict(
        target=f"binary ({label}) ≤ {SIZE_TARGET_BYTES:,} bytes (4 KiB)",
        measured=f"{size:,} bytes",
        verdict=_judge(
            size <= SIZE_TARGET_BYTES,
            f"{size:,} bytes",
            f"{size - SIZE_TARGET_BYTES:,} bytes over the budget",
        ),
    )


def _memory_verdict(memory: dict[str, Any]) -> Verdict:
    peak = memory["summary"]["median"]
    resident = ", ".join(f"{name} {kb} kB" for name, kb in memory["resident_kb_by_mapping"].items())
    return Verdict(
        target=f"init's own VmHWM ≤ {MEMORY_TARGET_KB} kB",
        measured=f"{peak:g} kB",
        verdict=_judge(
            peak <= MEMORY_TARGET_KB,
            f"{peak:g} kB",
            f"resident by mapping when last read: {resident}",
        ),
    )


def _spawn_verdict(spawn: dict[str, Any]) -> Verdict:
    mini_init = spawn["inits"][MINI_INIT]
    reference = spawn["inits"][REFERENCE]
    baseline = spawn["baseline"]["summary"]
    ratio = mini_init["overhead_vs_reference"]
    measured = "n/a" if ratio is None else f"{ratio:.2f}×"
    reason = (
        f"{mini_init['overhead_ns'] / 1000:,.0f} µs added to /bin/true against {REFERENCE}'s "
        f"{reference['overhead_ns'] / 1000:,.0f} µs; /bin/true alone takes "
        f"{baseline['median'] / 1000:,.0f} µs (IQR {baseline['iqr'] / 1000:,.0f} µs)"
    )
    return Verdict(
        target=f"spawn overhead ≤ {SPAWN_TARGET_RATIO}× {REFERENCE}'s",
        measured=measured,
        verdict=_judge(ratio is not None and ratio <= SPAWN_TARGET_RATIO, measured, reason),
    )


def judge_targets(results: dict[str, Any]) -> list[Verdict]:
    """Every target, in the order the docs list them."""
    sizes = results["size_bytes"]
    return [
        _size_verdict("amd64", sizes[MINI_INIT]),
        *(
            _size_verdict(arch, sizes[mini_init_of(arch)])
            for arch in OTHER_ARCHITECTURES
            if mini_init_of(arch) in sizes  # a results file from before riscv64 has arm64 only
        ),
        _memory_verdict(results["memory"][MINI_INIT]),
        _spawn_verdict(results["spawn"]),
    ]
