"""A host directory under the test's tmp_path, bind-mounted at /data in a container: the apps write
their records there and the test reads them from the host after the container has ended."""

from pathlib import Path
from typing import Any

CONTAINER_DATA_DIR = "/data"


def data_directory(tmp_path: Path) -> Path:
    """tmp_path/data, writable by any user (the hardened and nonroot containers run as 65532)."""
    directory = tmp_path / "data"
    directory.mkdir(exist_ok=True)
    directory.chmod(0o777)
    return directory


def _run_lines(directory: Path) -> list[str]:
    path = directory / "runs"
    return path.read_text().splitlines() if path.exists() else []


def run_count(directory: Path) -> int:
    """How many times an app ran: the lines of the `runs` file it appends to at each start."""
    return len(_run_lines(directory))


def run_starts(directory: Path) -> list[float]:
    """Each run's start (uptime seconds) from a `runs` file of "<run> <uptime>" lines."""
    return [float(line.split()[1]) for line in _run_lines(directory)]


def data_volume(directory: Path) -> dict[str, dict[str, Any]]:
    """The SDK's `volumes=` value that mounts `directory` at /data, read-write."""
    return {str(directory): {"bind": CONTAINER_DATA_DIR, "mode": "rw"}}
