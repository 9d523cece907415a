"""Describes the machine a benchmark ran on: CPU, cores, kernel, memory, OS and date."""

import os
import platform
from datetime import UTC, datetime
from pathlib import Path


def _first_value(path: Path, key: str, separator: str = ":") -> str:
    """The value of the first `key<separator>value` line of a /proc or /etc file, or "unknown"."""
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return "unknown"
    for line in lines:
        name, found, value = line.partition(separator)
        if found and name.strip() == key:
            return value.strip().strip('"')
    return "unknown"


def describe_machine() -> dict[str, str | int]:
    """What a reader needs to judge the numbers: hardware, kernel, OS, Python and when."""
    memory_kb = _first_value(Path("/proc/meminfo"), "MemTotal").split()[0]
    return {
        "cpu_model": _first_value(Path("/proc/cpuinfo"), "model name"),
        "cores": os.cpu_count() or 0,
        "kernel": platform.release(),
        "memory_bytes": int(memory_kb) * 1024 if memory_kb.isdigit() else 0,
        "os": _first_value(Path("/etc/os-release"), "PRETTY_NAME", "="),
        "python": platform.python_version(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
