"""The init's own peak memory: VmHWM of the init process (not its child) supervising a sleep."""

import subprocess
import time
from pathlib import Path
from typing import TypedDict

from mini_init_tools.bench.contenders import Contender, round_robin
from mini_init_tools.bench.summary import Summary, summarize
from mini_init_tools.errors import ToolError

SLEEP = "/bin/sleep"  # by path: the floor does no PATH search
SUPERVISED_SLEEP_SECONDS = "0.2"
SAMPLE_INTERVAL_SECONDS = 0.005


class MemorySample(TypedDict):
    """One reading of the init: VmHWM, and what was resident then, by mapping."""

    peak_kb: int
    resident_kb_by_mapping: dict[str, int]


def _mapping_label(header: str) -> str:
    """`[stack]`, a file's base name, or `anonymous`, from an smaps header line."""
    fields = header.split(maxsplit=5)
    if len(fields) < 6:
        return "anonymous"
    name = fields[5].strip()
    return name if name.startswith("[") else Path(name).name


def _resident_by_mapping(pid: int) -> dict[str, int]:
    """Resident kB per mapping (those with any) of a live process, from /proc/<pid>/smaps."""
    resident: dict[str, int] = {}
    label = "anonymous"
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        key, *values = line.split()
        if not key.endswith(":"):
            label = _mapping_label(line)
        elif key == "Rss:" and int(values[0]) > 0:
            resident[label] = resident.get(label, 0) + int(values[0])
    return resident


def _read_sample(pid: int) -> MemorySample | None:
    """VmHWM and resident mappings now; None once the process has exited (a zombie has none)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        peak = [line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")]
        if not peak:
            return None
        return MemorySample(peak_kb=int(peak[0]), resident_kb_by_mapping=_resident_by_mapping(pid))
    except (OSError, ValueError):
        return None


def peak_memory(contender: Contender) -> MemorySample:
    """Sample the init until its app exits; the last reading (after exec) is its peak so far."""
    process = subprocess.Popen(
        contender.command(SLEEP, SUPERVISED_SLEEP_SECONDS),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    last: MemorySample | None = None
    while process.poll() is None:
        last = _read_sample(process.pid) or last
        time.sleep(SAMPLE_INTERVAL_SECONDS)
    if last is None or process.returncode != 0:
        raise ToolError(
            f"{contender.name} did not run `sleep` (exit {process.returncode}): "
            f"check {contender.binary}"
        )
    return last


class MemoryResult(TypedDict):
    """Every reading of one init, and their summary."""

    peak_kb: list[int]
    summary: Summary
    resident_kb_by_mapping: dict[str, int]


def measure_memory(contenders: list[Contender], runs: int) -> dict[str, MemoryResult]:
    """`runs` readings per init, interleaved; the mapping breakdown is the one of the last run."""
    samples: dict[str, list[MemorySample]] = {contender.name: [] for contender in contenders}
    for contender in round_robin(contenders, runs):
        samples[contender.name].append(peak_memory(contender))
    return {
        name: MemoryResult(
            peak_kb=[sample["peak_kb"] for sample in readings],
            summary=summarize([sample["peak_kb"] for sample in readings]),
            resident_kb_by_mapping=readings[-1]["resident_kb_by_mapping"],
        )
        for name, readings in samples.items()
    }
