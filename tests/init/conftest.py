"""Fixtures: the init built from init/ once per session (or the binaries MINI_INIT_BINARY_DIR names),
the two ways to run it, the differential recorder, and cleanup of what runs leave."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from mini_init_tools.abi_table import ARCHITECTURES
from mini_init_tools.build import build_arch
from mini_init_tools.claim_run import BINARY_DIR_VARIABLE
from mini_init_tools.doctor import qemu_binfmt_registered
from mini_init_tools.errors import ToolError
from mini_init_tools.platforms import MACHINE, NATIVE_ARCH

from .differential import (
    COMPARISONS,
    DifferentialRecorder,
    comparison_of,
    recording_of,
    scenario_of,
)
from .harness import Finished, InitLauncher, Target

RECORDER = pytest.StashKey[DifferentialRecorder]()
# The test that compares the recordings; it runs after every other test.
COMPARISON_TEST = "test_every_recorded_scenario_is_the_same_on_every_architecture"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"differential(comparison): how the differential recorder compares this test's runs"
        f" across architectures, one of {', '.join(COMPARISONS)} (tests/init/differential.py)",
    )
    config.stash[RECORDER] = DifferentialRecorder()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    comparisons = [item for item in items if getattr(item, "originalname", "") == COMPARISON_TEST]
    items[:] = [item for item in items if item not in comparisons] + comparisons


class InitBinaries:
    """The init of each architecture: from MINI_INIT_BINARY_DIR, or built from init/ into a
    directory of this session the first time a test needs it. Never the checkout's build/."""

    def __init__(self, given: Path | None, build_directory: Path) -> None:
        self.given = given
        self.build_directory = build_directory
        self._found: dict[str, Path | str] = {}  # a path, or why there is none

    def path(self, arch: str) -> Path:
        if arch not in self._found:
            self._found[arch] = self._given(arch) if self.given else self._build(arch)
        found = self._found[arch]
        if isinstance(found, str):
            pytest.fail(found, pytrace=False)
        return found

    def _given(self, arch: str) -> Path | str:
        path = Path(self.given or "") / arch / "mini-init"
        if not path.is_file():
            return f"{BINARY_DIR_VARIABLE}={self.given} holds no {arch}/mini-init"
        return path

    def _build(self, arch: str) -> Path | str:
        try:
            return build_arch(arch, output_dir=self.build_directory).path
        except ToolError as error:
            return f"cannot build the {arch} init from init/: {error}"


@pytest.fixture(scope="session")
def init_binaries(tmp_path_factory: pytest.TempPathFactory) -> InitBinaries:
    given = os.environ.get(BINARY_DIR_VARIABLE)
    return InitBinaries(Path(given) if given else None, tmp_path_factory.mktemp("mini-init-build"))


def require_emulation(arch: str) -> None:
    """A foreign architecture's init runs through QEMU user mode, registered in binfmt_misc."""
    if arch == NATIVE_ARCH:
        return
    if not qemu_binfmt_registered(arch):
        pytest.fail(
            f"qemu-{MACHINE[arch]} is not registered and enabled in binfmt_misc, so the {arch} init"
            " cannot run: run `bash buildx/register-binfmt.sh` (as root) and try again",
            pytrace=False,
        )


@pytest.fixture(params=ARCHITECTURES)
def arch(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def init_binary(arch: str, init_binaries: InitBinaries) -> Path:
    require_emulation(arch)
    return init_binaries.path(arch)


@pytest.fixture(params=[False, True], ids=["child", "pid1"])
def as_pid1(request: pytest.FixtureRequest) -> bool:
    pid1: bool = request.param
    return pid1


@pytest.fixture
def target(arch: str, init_binary: Path, as_pid1: bool) -> Target:
    return Target(arch, init_binary, as_pid1)


@pytest.fixture
def differential_recorder(pytestconfig: pytest.Config) -> DifferentialRecorder:
    return pytestconfig.stash[RECORDER]


@pytest.fixture
def mini_init(
    target: Target,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    differential_recorder: DifferentialRecorder,
) -> Iterator[InitLauncher]:
    """A launcher for this test's target; every run the test waits for is recorded for the
    comparison across architectures."""
    scenario = scenario_of(request.node)
    comparison = comparison_of(request.node)

    def record(run_number: int, finished: Finished) -> None:
        if scenario is None:
            return
        recording = recording_of(
            finished.exit_code,
            finished.stdout_bytes,
            finished.stderr_bytes,
            comparison,
            launcher.varying_inputs(),
        )
        differential_recorder.record(scenario[0], target.arch, run_number, recording)

    launcher = InitLauncher(target, tmp_path, record)
    yield launcher
    launcher.kill_everything()
