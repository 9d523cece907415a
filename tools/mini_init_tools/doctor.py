"""Checks every prerequisite of building, imaging and testing the init, each with its fix command."""

import shutil
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mini_init_tools.abi_table import ARCHITECTURES
from mini_init_tools.docker_cli import DOCKER, daemon_is_up, run_docker
from mini_init_tools.errors import ToolError
from mini_init_tools.platforms import MACHINE, NATIVE_ARCH
from mini_init_tools.programs import GIT
from mini_init_tools.toolchain import TOOLCHAINS

BINFMT_MISC = Path("/proc/sys/fs/binfmt_misc")
# The architectures this host runs under QEMU user mode.
EMULATED = tuple(arch for arch in ARCHITECTURES if arch != NATIVE_ARCH)
REGISTRY_ENDPOINT = "http://127.0.0.1:5000/v2/"
STACK_UP = "mini-init-tools stack up"
RESTART_STACK = "mini-init-tools stack down && mini-init-tools stack up"


@dataclass(frozen=True)
class Prerequisite:
    """One thing the project needs, how to tell it is there, and the command that provides it."""

    name: str
    is_met: Callable[[], bool]
    fix: str


@dataclass(frozen=True)
class Finding:
    """The outcome of checking one prerequisite."""

    name: str
    met: bool
    fix: str


def _program_exists(program: str) -> Callable[[], bool]:
    return lambda: shutil.which(program) is not None


def _toolchain_prerequisites() -> list[Prerequisite]:
    found: dict[str, Prerequisite] = {}
    for toolchain in TOOLCHAINS.values():
        for role, program, package in (
            ("assembler", toolchain.assembler, toolchain.assembler_package),
            ("linker", toolchain.linker, toolchain.linker_package),
        ):
            name = f"{program} ({toolchain.arch} {role})"
            found[program] = Prerequisite(name, _program_exists(program), f"apt-get install {package}")
    return list(found.values())


def _git_prerequisite() -> Prerequisite:
    return Prerequisite(
        f"{GIT.name} (the commit's time and id in the images)", _program_exists(GIT.name), GIT.fix
    )


def _docker_answers(*arguments: str) -> str | None:
    try:
        return run_docker(arguments, timeout=20)
    except ToolError:
        return None


def docker_cli_installed() -> bool:
    """Debian's Docker CLI is where the tool runs it from."""
    return Path(DOCKER).exists()


def qemu_binfmt_registered(arch: str) -> bool:
    """qemu-<arch> is registered, enabled, and with the F flag that makes it work in containers."""
    try:
        lines = (BINFMT_MISC / f"qemu-{MACHINE[arch]}").read_text().splitlines()
    except OSError:
        return False
    flags = next((line.removeprefix("flags:") for line in lines if line.startswith("flags:")), "")
    return "enabled" in lines and "F" in flags


def containerd_snapshotter_in_use() -> bool:
    """The daemon keeps images in the containerd store, which holds multi-platform images."""
    status = _docker_answers("info", "--format", "{{json .DriverStatus}}")
    return status is not None and "io.containerd.snapshotter" in status


def buildx_builds(arch: str) -> bool:
    """The default builder lists linux/<arch> (binfmt was registered before dockerd started)."""
    inspection = _docker_answers("buildx", "inspect", "default")
    platforms = [
        line.split(":", 1)[1] for line in (inspection or "").splitlines() if line.startswith("Platforms:")
    ]
    return any(f"linux/{arch}" in line for line in platforms)


def _binfmt_check(arch: str) -> Callable[[], bool]:
    return lambda: qemu_binfmt_registered(arch)


def _buildx_check(arch: str) -> Callable[[], bool]:
    return lambda: buildx_builds(arch)


def compose_answers() -> bool:
    """The compose plugin runs."""
    return _docker_answers("compose", "version") is not None


def registry_answers() -> bool:
    """The local registry answers its API root on 127.0.0.1:5000."""
    try:
        with urllib.request.urlopen(REGISTRY_ENDPOINT, timeout=3) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def stack_prerequisites() -> list[Prerequisite]:
    """What `mini-init-tools stack up` provides, in the order it provides it."""
    return [
        *(
            Prerequisite(f"QEMU {arch} emulation in binfmt_misc", _binfmt_check(arch), STACK_UP)
            for arch in EMULATED
        ),
        Prerequisite(f"Docker CLI ({DOCKER})", docker_cli_installed, STACK_UP),
        Prerequisite("Docker daemon up", daemon_is_up, STACK_UP),
        Prerequisite("containerd image store", containerd_snapshotter_in_use, RESTART_STACK),
        *(
            Prerequisite(f"buildx builds linux/{arch}", _buildx_check(arch), RESTART_STACK)
            for arch in EMULATED
        ),
        Prerequisite("docker compose", compose_answers, STACK_UP),
        Prerequisite("local registry on 127.0.0.1:5000", registry_answers, STACK_UP),
    ]


def _examine(items: list[Prerequisite]) -> list[Finding]:
    return [Finding(item.name, item.is_met(), item.fix) for item in items]


def examine_stack() -> list[Finding]:
    """Check what `stack up` provides."""
    return _examine(stack_prerequisites())


def examine() -> list[Finding]:
    """Check every prerequisite: the toolchain and git, then the stack."""
    return _examine([*_toolchain_prerequisites(), _git_prerequisite(), *stack_prerequisites()])
