"""`mini-init-tools doctor` and `stack`: every prerequisite listed with its fix, failures in one line."""

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from mini_init_tools import doctor, stack
from mini_init_tools.cli import app
from mini_init_tools.errors import ToolError
from typer.testing import CliRunner

runner = CliRunner()
STACK_ITEMS = (
    "QEMU arm64 emulation in binfmt_misc",
    "QEMU riscv64 emulation in binfmt_misc",
    "Docker CLI (/usr/bin/docker)",
    "Docker daemon up",
    "containerd image store",
    "buildx builds linux/arm64",
    "buildx builds linux/riscv64",
    "docker compose",
    "local registry on 127.0.0.1:5000",
)
TOOLCHAIN_ITEMS = ("nasm", "ld", "aarch64-linux-gnu-as", "aarch64-linux-gnu-ld", "git")


@pytest.fixture
def healthy_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every probe answers as on a machine where `stack up` has run."""
    monkeypatch.setattr(shutil, "which", lambda program: f"/usr/bin/{program}")
    monkeypatch.setattr(doctor, "qemu_binfmt_registered", lambda arch: True)
    monkeypatch.setattr(doctor, "containerd_snapshotter_in_use", lambda: True)
    monkeypatch.setattr(doctor, "buildx_builds", lambda arch: True)
    monkeypatch.setattr(doctor, "registry_answers", lambda: True)
    monkeypatch.setattr(doctor, "run_docker", lambda arguments, timeout: "ok")
    monkeypatch.setattr(doctor, "docker_cli_installed", lambda: True)
    monkeypatch.setattr(doctor, "daemon_is_up", lambda: True)


def _row(output: str, item: str) -> str:
    return next(line for line in output.splitlines() if item in line)


def test_doctor_lists_every_prerequisite_and_passes_when_all_are_met(healthy_machine: None) -> None:
    result = runner.invoke(app, ["doctor"], terminal_width=200)
    assert result.exit_code == 0, result.output
    for item in (*TOOLCHAIN_ITEMS, *STACK_ITEMS):
        assert "✓" in _row(result.output, item)
    assert "✗" not in result.output


@pytest.mark.parametrize(
    ("program", "item", "package"),
    [("nasm", "nasm (amd64 assembler)", "nasm"), ("git", "git (", "git")],
    ids=["assembler", "git"],
)
def test_doctor_names_the_package_of_a_missing_program(
    healthy_machine: None, monkeypatch: pytest.MonkeyPatch, program: str, item: str, package: str
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None if name == program else name)
    result = runner.invoke(app, ["doctor"], terminal_width=200)
    assert result.exit_code == 1
    row = _row(result.output, item)
    assert "✗" in row and f"apt-get install {package}" in row


def test_doctor_with_the_daemon_down_says_to_bring_the_stack_up(
    healthy_machine: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def daemon_down(arguments: tuple[str, ...], timeout: float) -> str:
        raise ToolError("the Docker daemon is not running")

    monkeypatch.setattr(doctor, "run_docker", daemon_down)
    monkeypatch.setattr(doctor, "daemon_is_up", lambda: False)
    result = runner.invoke(app, ["doctor"], terminal_width=200)
    assert result.exit_code == 1
    for item in ("Docker daemon up", "docker compose"):
        row = _row(result.output, item)
        assert "✗" in row and "mini-init-tools stack up" in row
    assert "Traceback" not in result.output


def test_doctor_takes_no_arguments() -> None:
    result = runner.invoke(app, ["doctor", "--fix"])
    assert result.exit_code == 2
    assert "No such option" in result.output


def _listed_commands(help_text: str) -> list[str]:
    """The names in the help's Commands panel, in order (descriptions go on indented)."""
    panel = help_text.split("─ Commands ─", 1)[1].split("╰", 1)[0]
    cells = [line.removeprefix("│ ") for line in panel.splitlines()[1:]]
    return [cell.split()[0] for cell in cells if cell and not cell.startswith(" ")]


def test_stack_without_a_subcommand_shows_up_and_down() -> None:
    result = runner.invoke(app, ["stack"], terminal_width=100)
    assert _listed_commands(result.output) == ["up", "down"]


def test_a_failing_stack_script_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def script_fails(command: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(
            command, 1, "", "Reading package lists...\ninstall-engine.sh: apt-get install failed\n"
        )

    monkeypatch.setattr(stack, "STACK_LOG", tmp_path / "stack.log")
    monkeypatch.setattr(subprocess, "run", script_fails)
    result = runner.invoke(app, ["stack", "up"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        f"mini-init-tools: install-engine.sh failed: apt-get install failed "
        f"(full output in {tmp_path / 'stack.log'})"
    )
    assert "Reading package lists" in (tmp_path / "stack.log").read_text()


def test_stack_up_runs_the_scripts_in_order_then_checks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    scripts: list[str] = []

    def script_succeeds(command: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
        scripts.append(Path(command[-1]).name)
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(stack, "STACK_LOG", tmp_path / "stack.log")
    monkeypatch.setattr(subprocess, "run", script_succeeds)
    monkeypatch.setattr(
        stack, "examine_stack", lambda: [doctor.Finding("buildx builds linux/arm64", False, "restart it")]
    )
    result = runner.invoke(app, ["stack", "up"])
    assert scripts == ["install-engine.sh", "register-binfmt.sh", "start-engine.sh", "start-registry.sh"]
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        "mini-init-tools: buildx builds linux/arm64: not ready after `stack up`; fix with `restart it`"
    )


@pytest.mark.parametrize(
    ("command", "steps"), [("up", stack.UP_STEPS), ("down", stack.DOWN_STEPS)], ids=["up", "down"]
)
def test_stack_off_a_terminal_prints_one_plain_line_per_step(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    command: str,
    steps: tuple[stack.StackStep, ...],
) -> None:
    def script_succeeds(arguments: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(arguments, 0, "", "")

    monkeypatch.setattr(stack, "STACK_LOG", tmp_path / "stack.log")
    monkeypatch.setattr(subprocess, "run", script_succeeds)
    monkeypatch.setattr(stack, "examine_stack", list)
    result = runner.invoke(app, ["stack", command], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:-1] == [step.message for step in steps]
    assert result.stdout.splitlines()[-1].startswith(f"stack {command}: ")
