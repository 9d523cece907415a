"""Runs `docker buildx bake`, streaming its progress line by line, and explains a failure in one line."""

import os
import re
import subprocess
from collections.abc import Callable, Mapping, Sequence

from mini_init_tools.docker_cli import DAEMON_DOWN, docker_command, first_error_line, require_cli
from mini_init_tools.errors import ToolError
from mini_init_tools.paths import BUILD_DIR, REPO_ROOT

BAKE_LOG = BUILD_DIR / "logs" / "bake.log"
BASE_NOT_PULLED = re.compile(r"failed to resolve source metadata for (\S+): ")
# Distribution 2.8's filesystem storage rewrites a tag's link file in place, so a push that reads a
# tag while a parallel push of the same index rewrites it can get "500 Internal Server Error".
# Pushing again (everything else is cached by then) succeeds.
REGISTRY_RACE = "500 Internal Server Error"
PUSH_ATTEMPTS = 3


def explain_failure(output: str) -> str:
    """One line that says why bake failed and what to do about it."""
    if "Cannot connect to the Docker daemon" in output:
        return DAEMON_DOWN
    pull = BASE_NOT_PULLED.search(output)
    if pull:
        return (
            f"cannot pull the base image {pull.group(1)} (no registry reachable?): "
            "rerun with --standin-bases to build on local stand-ins of the bases"
        )
    return f"docker buildx bake failed: {first_error_line(output)} (full output in {BAKE_LOG})"


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


def _run_once(
    command: list[str], environment: Mapping[str, str], show: Callable[[str], None]
) -> tuple[int, str]:
    lines: list[str] = []
    with start_bake_process(command, environment) as process:
        for line in process.stdout or ():
            lines.append(line)
            show(line.rstrip())
    output = "".join(lines)
    BAKE_LOG.parent.mkdir(parents=True, exist_ok=True)
    BAKE_LOG.write_text(output)
    return process.returncode, output


def run_bake(
    arguments: Sequence[str], environment: Mapping[str, str], show: Callable[[str], None]
) -> None:
    """Run bake with plain progress, handing each line to `show`; the output is kept in BAKE_LOG.
    A push the registry failed with a 500 is tried again, up to PUSH_ATTEMPTS times in all."""
    require_cli()
    command = docker_command("buildx", "bake", "--progress", "plain", *arguments)
    for attempt in range(1, PUSH_ATTEMPTS + 1):
        returncode, output = _run_once(command, environment, show)
        if returncode == 0:
            return
        if REGISTRY_RACE not in output or attempt == PUSH_ATTEMPTS:
            raise ToolError(explain_failure(output))
        show(f"the registry answered {REGISTRY_RACE} during the push: pushing again")
