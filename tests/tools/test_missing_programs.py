# SPDX-License-Identifier: MIT
"""A program the tool starts that is not installed: one line naming its Debian package, exit 1."""

from pathlib import Path

import pytest
from mini_init_tools import docker_cli
from mini_init_tools.bench import runner as bench_runner
from mini_init_tools.cli import app
from typer.testing import CliRunner, Result

runner = CliRunner()


@pytest.fixture
def nothing_in_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """PATH names only an empty directory: no program can be found by name."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def _last_line_of_a_clean_exit(result: Result) -> str:
    """The last line of the output, after checking the command exited rather than raised."""
    assert isinstance(result.exception, SystemExit), f"not a clean exit: {result.exception!r}"
    return result.output.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("arguments", "line"),
    [
        (["images"], "git not found: apt-get install git"),
        (["build", "--arch", "amd64"], "nasm not found: apt-get install nasm"),
        (["stack", "up"], "bash not found: apt-get install bash"),
        (["stack", "down"], "bash not found: apt-get install bash"),
        (
            ["bench", "--quick", "--output", "{tmp}/bench"],
            "unshare not found: apt-get install util-linux",
        ),
    ],
    ids=["images-git", "build-nasm", "stack-up-bash", "stack-down-bash", "bench-unshare"],
)
def test_a_program_missing_from_path_is_one_line_naming_its_package(
    nothing_in_path: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    arguments: list[str],
    line: str,
) -> None:
    monkeypatch.setattr(bench_runner, "require_root", lambda: None)
    result = runner.invoke(app, [argument.format(tmp=tmp_path) for argument in arguments])
    assert result.exit_code == 1
    assert _last_line_of_a_clean_exit(result) == f"mini-init-tools: {line}"


def test_no_docker_cli_is_one_line_naming_its_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    missing = tmp_path / "docker"
    monkeypatch.setattr(docker_cli, "DOCKER", str(missing))
    result = runner.invoke(app, ["images", "--variant", "scratch"])
    assert result.exit_code == 1
    assert _last_line_of_a_clean_exit(result) == (
        f"mini-init-tools: {missing} not found: run `mini-init-tools stack up` (installs docker-cli)"
    )
