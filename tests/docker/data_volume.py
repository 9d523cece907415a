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


def data_volume(directory: Path) -> dict[str, dict[str, Any]]:
    """The SDK's `volumes=` value that mounts `directory` at /data, read-write."""
    return {str(directory): {"bind": CONTAINER_DATA_DIR, "mode": "rw"}}
