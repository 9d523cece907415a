# SPDX-License-Identifier: MIT
"""Helpers for the Docker suites: run a container to its end with the SDK, read PID 1's argv, build."""

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import docker
from docker.models.containers import Container
from mini_init_tools.docker_cli import docker_command
from mini_init_tools.images import variant_platforms
from mini_init_tools.platforms import MACHINE, NATIVE_ARCH, PLATFORMS, arch_of

# What `uname -m` says in a container of each platform.
UNAME_MACHINE = {platform: MACHINE[arch_of(platform)] for platform in PLATFORMS}
# The platforms whose containers run under QEMU user mode on this host.
EMULATED_PLATFORMS = tuple(platform for platform in PLATFORMS if arch_of(platform) != NATIVE_ARCH)
INIT_ENTRYPOINT = ["/sbin/mini-init", "--"]
RUN_TIMEOUT_SECONDS = 90
BUILD_TIMEOUT_SECONDS = 600
# With binfmt's P flag, an emulated process's argv starts with the QEMU interpreter, then the
# binary's path, then its own argv.
QEMU_INTERPRETER_SUFFIX = "-binfmt-P"


@dataclass(frozen=True)
class Finished:
    """How a container ended: its exit status and everything it wrote (stdout then stderr)."""

    exit_code: int
    output: bytes

    @property
    def text(self) -> str:
        return self.output.decode(errors="replace")


def run_to_exit(
    client: docker.DockerClient,
    image: str,
    platform: str,
    command: list[str] | None = None,
    **options: object,
) -> Finished:
    """Run `image` for `platform` until it exits (bounded by RUN_TIMEOUT_SECONDS), then remove it."""
    container: Container = client.containers.run(
        image, command, platform=platform, detach=True, **options
    )
    try:
        status = container.wait(timeout=RUN_TIMEOUT_SECONDS)
        return Finished(status["StatusCode"], container.logs(stdout=True, stderr=True))
    finally:
        container.remove(force=True)


def emulated(platform: str) -> bool:
    """The platform's binaries run under QEMU user mode here."""
    return platform in EMULATED_PLATFORMS


def platforms_of(variant: str) -> tuple[str, ...]:
    """The platforms a variant's images have: PLATFORMS, less those its base is not published for."""
    return variant_platforms(variant, PLATFORMS)


def init_argv(cmdline: bytes) -> list[str]:
    """PID 1's argv from /proc/1/cmdline, without the QEMU interpreter an emulated init runs under."""
    argv = [part.decode() for part in cmdline.split(b"\0") if part]
    if argv and argv[0].endswith(QEMU_INTERPRETER_SUFFIX):
        return argv[2:]
    return argv


def build_image(context: Path, tag: str, platforms: tuple[str, ...] = PLATFORMS) -> str:
    """`docker buildx build` the Dockerfile in `context` for `platforms` into the local image store."""
    run_build_command(
        ["buildx", "build", "--platform", ",".join(platforms), "--load", "--tag", tag, str(context)],
        cwd=context,
    )
    return tag


def run_build_command(
    arguments: list[str], cwd: Path, environment: Mapping[str, str] | None = None
) -> None:
    """Run a Docker CLI build command (with `environment` added to this process's); its output
    becomes the failure message."""
    result = subprocess.run(
        docker_command(*arguments),
        cwd=cwd,
        env={**os.environ, **(environment or {})},
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_SECONDS,
        check=False,
    )
    assert result.returncode == 0, f"docker {' '.join(arguments)} failed:\n{result.stderr[-4000:]}"
