# SPDX-License-Identifier: MIT
"""The Python is typed and clean: mypy --strict (pyproject.toml's settings) and ruff pass on the
tool package and on every test folder.

Each test folder is checked on its own, the way pytest imports it (rootdir-relative, no packages):
checked together, the folder tests/docker would stand in for the `docker` package."""

import subprocess
import sys

import pytest
from mini_init_tools.paths import REPO_ROOT

TEST_FOLDERS = ("tests/init", "tests/tools", "tests/docker")
CHECK_TIMEOUT_SECONDS = 300


def _python_files(folder: str) -> list[str]:
    listed = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "ls-files", "--cached", "--others", "--exclude-standard",
         f"{folder}/*.py"],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout
    return listed.split()


def _run(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *arguments], cwd=REPO_ROOT,
        capture_output=True, text=True, timeout=CHECK_TIMEOUT_SECONDS, check=False,
    )


@pytest.mark.parametrize("folder", ["tools", *TEST_FOLDERS])
def test_mypy_strict_passes(folder: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    files = _python_files(folder)
    assert files, f"no Python files under {folder}"
    cache = tmp_path_factory.getbasetemp() / "mypy-cache"
    result = _run("mypy", "--cache-dir", str(cache), "--python-executable", sys.executable, *files)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_ruff_passes() -> None:
    result = _run("ruff", "check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
