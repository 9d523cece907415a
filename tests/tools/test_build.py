# SPDX-License-Identifier: MIT
"""`mini-init-tools build`: both binaries, their ELF properties, reproducibility, clear failures."""

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from mini_init_tools.abi_table import ARCHITECTURES
from mini_init_tools.asm_constants import render_constants
from mini_init_tools.build import build_all
from mini_init_tools.cli import app
from mini_init_tools.elf_check import SIZE_LIMIT_BYTES, inspect_binary
from mini_init_tools.paths import binary_path
from mini_init_tools.version import VERSION
from typer.testing import CliRunner

runner = CliRunner()


def _digests() -> dict[str, str]:
    return {arch: hashlib.sha256(binary_path(arch).read_bytes()).hexdigest() for arch in ARCHITECTURES}


@pytest.fixture(scope="module")
def built() -> dict[str, str]:
    result = runner.invoke(app, ["build"])
    assert result.exit_code == 0, result.output
    return _digests()


def test_build_reports_size_and_sha256_of_each_binary(built: dict[str, str]) -> None:
    result = runner.invoke(app, ["build"], terminal_width=200)
    assert result.exit_code == 0, result.output
    for arch, digest in built.items():
        assert digest in result.output
        assert str(binary_path(arch).stat().st_size) in result.output


def test_two_clean_builds_give_identical_bytes(built: dict[str, str], tmp_path: Path) -> None:
    first = build_all(output_dir=tmp_path / "first")
    second = build_all(output_dir=tmp_path / "second")
    assert {binary.arch: binary.sha256 for binary in first} == built
    assert {binary.arch: binary.sha256 for binary in second} == built


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_binary_is_static_stripped_wx_safe_and_small(built: dict[str, str], arch: str) -> None:
    report = inspect_binary(binary_path(arch), arch)
    assert report.problems == ()
    assert report.size <= SIZE_LIMIT_BYTES


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_binary_prints_the_version_from_the_one_version_file(built: dict[str, str], arch: str) -> None:
    result = subprocess.run(
        [binary_path(arch), "--version"], capture_output=True, text=True, timeout=20, check=False
    )
    assert (result.returncode, result.stdout) == (0, f"mini-init {VERSION}\n")


def test_elf_check_names_every_broken_property() -> None:
    dynamic_binary = Path("/usr/bin/dumb-init")
    if not dynamic_binary.exists():
        dynamic_binary = Path(shutil.which("python3") or "/bin/sh").resolve()
    problems = " ".join(inspect_binary(dynamic_binary, "amd64").problems)
    assert "not static" in problems
    assert "budget" in problems


def test_missing_assembler_names_the_debian_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    result = runner.invoke(app, ["build", "--arch", "arm64"])
    assert result.exit_code == 1
    assert "apt-get install binutils-aarch64-linux-gnu" in result.output
    assert "Traceback" not in result.output


def test_unknown_architecture_is_one_clear_line() -> None:
    result = runner.invoke(app, ["build", "--arch", "riscv"])
    assert result.exit_code == 1
    assert "unknown architecture 'riscv'" in result.output


@pytest.mark.parametrize(
    ("arch", "line"),
    [
        ("amd64", "SYS_wait4                    equ 61"),
        ("arm64", ".equ SYS_wait4, 260"),
        ("riscv64", ".equ SYS_wait4, 260"),
    ],
)
def test_constants_are_rendered_per_architecture(arch: str, line: str) -> None:
    assert line in render_constants(arch).splitlines()
