"""Fixtures: the built init per architecture, the two ways to run it, cleanup of what runs leave."""

import importlib.util
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from mini_init_tools.abi_table import ARCHITECTURES
from mini_init_tools.paths import binary_path

from .harness import InitLauncher, Target

BUILD_TIMEOUT = 600
QEMU_BINFMT_ENTRY = Path("/proc/sys/fs/binfmt_misc/qemu-aarch64")


@pytest.fixture(scope="session")
def build_log() -> str:
    """Runs `mini-init-tools build` once if a binary is missing; returns its output ('' if not)."""
    if all(binary_path(arch).exists() for arch in ARCHITECTURES):
        return ""
    command = shutil.which("mini-init-tools", path=f"{Path(sys.executable).parent}")
    if command is None or importlib.util.find_spec("mini_init_tools.cli") is None:
        pytest.skip("the init is not built and `mini-init-tools build` does not exist yet")
    result = subprocess.run(
        [command, "build"], capture_output=True, text=True, timeout=BUILD_TIMEOUT
    )
    return f"`mini-init-tools build` exited {result.returncode}:\n{result.stdout}{result.stderr}"


@pytest.fixture(scope="session")
def arm64_emulation() -> None:
    """arm64 builds run through QEMU user mode, registered in binfmt_misc."""
    if not QEMU_BINFMT_ENTRY.exists() or "enabled" not in QEMU_BINFMT_ENTRY.read_text():
        pytest.fail(
            f"{QEMU_BINFMT_ENTRY} is not registered and enabled, so the arm64 init cannot run:"
            " run `bash buildx/register-binfmt.sh` (as root) and try again",
            pytrace=False,
        )


@pytest.fixture(params=ARCHITECTURES)
def arch(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def init_binary(arch: str, build_log: str, request: pytest.FixtureRequest) -> Path:
    if arch == "arm64":
        request.getfixturevalue("arm64_emulation")
    path = binary_path(arch)
    if not path.exists():
        pytest.fail(f"{path} is missing after the build. {build_log}", pytrace=False)
    return path


@pytest.fixture(params=[False, True], ids=["child", "pid1"])
def as_pid1(request: pytest.FixtureRequest) -> bool:
    pid1: bool = request.param
    return pid1


@pytest.fixture
def target(arch: str, init_binary: Path, as_pid1: bool) -> Target:
    return Target(arch, init_binary, as_pid1)


@pytest.fixture
def mini_init(target: Target, tmp_path: Path) -> Iterator[InitLauncher]:
    launcher = InitLauncher(target, tmp_path)
    yield launcher
    launcher.kill_everything()
