# SPDX-License-Identifier: MIT
"""Runs `docker buildx bake` for one run of the tool: every bake on the chosen builder, its output
streamed to a progress reporter and appended, under a header, to build/logs/bake.log (which holds
every bake of the last run), and a failure explained in one line."""

import os
import re
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

from mini_init_tools.docker_cli import (
    DAEMON_DOWN,
    docker_command,
    first_error_line,
    require_cli,
    run_docker,
)
from mini_init_tools.errors import ToolError
from mini_init_tools.paths import BUILD_DIR, REPO_ROOT

BAKE_LOG = BUILD_DIR / "logs" / "bake.log"
BASE_NOT_PULLED = re.compile(r"failed to resolve source metadata for (\S+): ")
# Distribution 2.8's filesystem storage rewrites a tag's link file in place, so a push that reads a
# tag while a parallel push of the same index rewrites it can get "500 Internal Server Error".
# Pushing again (everything else is cached by then) succeeds.
REGISTRY_RACE = "500 Internal Server Error"
PUSH_ATTEMPTS = 3


class BakeProgress(Protocol):
    """Where a run reports: `step` for what the tool does next, `detail` for each line of bake."""

    def step(self, message: str) -> None: ...

    def detail(self, line: str) -> None: ...


def explain_failure(output: str, log: Path) -> str:
    """One line that says why bake failed and what to do about it."""
    if "Cannot connect to the Docker daemon" in output:
        return DAEMON_DOWN
    pull = BASE_NOT_PULLED.search(output)
    if pull:
        return (
            f"cannot pull the image {pull.group(1)} (no registry reachable?): "
            "rerun with --standin-bases to build on local stand-ins"
        )
    return f"docker buildx bake failed: {first_error_line(output)} (full output in {log})"


def require_builder(name: str) -> None:
    """Fail in one line when no buildx builder has that name."""
    try:
        run_docker(["buildx", "inspect", name], timeout=30)
    except ToolError as error:
        if f'no builder "{name}" found' in str(error):
            raise ToolError(
                f"no buildx builder named {name!r}: `docker buildx ls` lists them, "
                "`docker buildx create` makes one (docs/images.md)"
            ) from None
        raise


def start_bake_process(command: list[str], environment: Mapping[str, str]) -> "subprocess.Popen[str]":
    """Start bake from the repository root with stdout and stderr merged into one line stream."""
    return subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env={**os.environ, **environment},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


class Baker:
    """The bakes of one run. Creating it starts a fresh log; each bake appends to it."""

    def __init__(self, progress: BakeProgress, builder: str = "") -> None:
        self.progress = progress
        self.builder = builder
        self.log = BAKE_LOG
        self._count = 0
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.log.write_text("")

    def _command(self, arguments: Sequence[str]) -> list[str]:
        builder = ["--builder", self.builder] if self.builder else []
        return docker_command("buildx", "bake", *builder, "--progress", "plain", *arguments)

    def _run_once(
        self, title: str, attempt: int, command: list[str], environment: Mapping[str, str]
    ) -> tuple[int, str]:
        self._count += 1
        started = time.monotonic()
        lines: list[str] = []
        with self.log.open("a") as log:
            log.write(
                f"==== bake {self._count}: {title}, attempt {attempt}, started "
                f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')}\n"
                f"==== {' '.join(f'{key}={value}' for key, value in sorted(environment.items()))}\n"
                f"==== {' '.join(command)}\n"
            )
            log.flush()
            with start_bake_process(command, environment) as process:
                for line in process.stdout or ():
                    lines.append(line)
                    log.write(line)
                    self.progress.detail(line.rstrip())
            log.write(f"==== bake {self._count}: exit status {process.returncode} after "
                      f"{time.monotonic() - started:.0f} s\n\n")
        return process.returncode, "".join(lines)

    def bake(self, title: str, arguments: Sequence[str], environment: Mapping[str, str]) -> None:
        """Run bake with plain progress on `arguments`; a push the registry failed with a 500 is
        tried again, up to PUSH_ATTEMPTS times in all."""
        require_cli()
        command = self._command(arguments)
        for attempt in range(1, PUSH_ATTEMPTS + 1):
            returncode, output = self._run_once(title, attempt, command, environment)
            if returncode == 0:
                return
            if REGISTRY_RACE not in output or attempt == PUSH_ATTEMPTS:
                raise ToolError(explain_failure(output, self.log))
            self.progress.step(f"the registry answered {REGISTRY_RACE} during the push: pushing again")
