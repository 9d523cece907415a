"""Runs Debian's Docker CLI, the one `stack up` installs, and turns its failures into ToolError."""

import os
import subprocess
from collections.abc import Sequence

from mini_init_tools.errors import ToolError

# Debian's docker-cli. Named by path: another `docker` earlier in PATH may be a different client.
DOCKER = "/usr/bin/docker"
DAEMON_DOWN = "the Docker daemon is not running: run `mini-init-tools stack up`"


def docker_command(*arguments: str) -> list[str]:
    """The argv that runs the Docker CLI with `arguments`."""
    return [DOCKER, *arguments]


def require_cli() -> None:
    """Fail with how to install it when Debian's Docker CLI is missing."""
    if not os.access(DOCKER, os.X_OK):
        raise ToolError(f"{DOCKER} not found: run `mini-init-tools stack up` (installs docker-cli)")


def run_docker(arguments: Sequence[str], *, timeout: float = 120) -> str:
    """Run the Docker CLI and return its stdout; a failure raises ToolError with its first error line."""
    require_cli()
    try:
        result = subprocess.run(
            docker_command(*arguments),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ToolError(f"`docker {' '.join(arguments)}` did not finish in {timeout:.0f}s") from None
    if result.returncode != 0:
        raise ToolError(f"`docker {' '.join(arguments)}` failed: {first_error_line(result.stderr)}")
    return result.stdout


def first_error_line(output: str) -> str:
    """The line of Docker's output that says what went wrong (its `ERROR:` line when there is one)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in lines:
        if line.startswith("ERROR:") or "Cannot connect to the Docker daemon" in line:
            return DAEMON_DOWN if "Cannot connect" in line else line.removeprefix("ERROR:").strip()
    return lines[-1] if lines else "no error message"


def daemon_is_up() -> bool:
    """True when the Docker daemon answers (`docker version` asks it for its version)."""
    try:
        run_docker(["version", "--format", "{{.Server.Version}}"], timeout=20)
    except ToolError:
        return False
    return True


def require_daemon() -> None:
    """Fail with the fix when the Docker CLI is missing or the daemon does not answer."""
    require_cli()
    if not daemon_is_up():
        raise ToolError(DAEMON_DOWN)
