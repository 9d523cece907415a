# SPDX-License-Identifier: MIT
"""Runs the tests that claim a behaviour on one architecture's binary and names those that fail.

The claims are pytest node ids under tests/init and a -k expression; the binary comes from a
directory of our choice (MINI_INIT_BINARY_DIR)."""

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from mini_init_tools.paths import REPO_ROOT

TESTS = "tests/init"
# tests/init/conftest.py tests the binaries this variable names (<dir>/<arch>/mini-init) and builds
# nothing.
BINARY_DIR_VARIABLE = "MINI_INIT_BINARY_DIR"
# Claimed tests stop at the first failure; a whole run of them, slow ones included, under QEMU on
# a busy two-core machine stays well below this.
TIMEOUT_SECONDS = 1800
FAILURE_PREFIXES = ("FAILED ", "ERROR ")
NO_TESTS_COLLECTED = 5  # pytest's exit status when the node ids and -k select nothing


@dataclass(frozen=True)
class ClaimResult:
    """What pytest said: every claimed test passed, or `failures` names those that did not (the
    first only, when it stopped there), or `problem` says why pytest could not judge (nothing
    selected, a collection error, a timeout)."""

    failures: tuple[str, ...] = ()
    problem: str = ""


def selection(arch: str, keyword: str) -> str:
    """The -k expression: `arch` only (its name is in every parametrized test id), narrowed by
    `keyword`."""
    return f"{arch} and ({keyword})" if keyword else arch


def pytest_command(
    tests: tuple[str, ...], keyword: str, arch: str, stop_at_first: bool
) -> list[str]:
    """pytest on the claimed tests of `arch`, writing no cache into the checkout."""
    stop = ["-x"] if stop_at_first else []
    return [
        sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *stop, "-q", "--no-header",
        "--tb=no", "-rfE", "-k", selection(arch, keyword), *(f"{TESTS}/{test}" for test in tests),
    ]


def failures_in(output: str) -> tuple[str, ...]:
    """The node ids of the FAILED and ERROR lines of pytest's short summary, in its order."""
    return tuple(
        line.split(" ", 1)[1].split(" - ", 1)[0]
        for line in output.splitlines()
        if line.startswith(FAILURE_PREFIXES)
    )


def missing(test: str) -> bool:
    """Whether a claim names a file, or a test function in it, that tests/init does not have."""
    file, _, function = test.partition("::")
    path = REPO_ROOT / TESTS / file
    if not path.is_file():
        return True
    return bool(function) and f"def {function.split('[', 1)[0]}(" not in path.read_text()


def claims(test: str, node_id: str) -> bool:
    """Whether `test` (a claim: a file, or file::test, under tests/init) selects `node_id`."""
    prefix = f"{TESTS}/{test}"
    return node_id == prefix or node_id.startswith((f"{prefix}::", f"{prefix}["))


def run_claims(
    tests: tuple[str, ...], keyword: str, arch: str, binaries: Path, stop_at_first: bool = True
) -> ClaimResult:
    """Run the claimed tests of `arch` on <binaries>/<arch>/mini-init, by default up to the first
    failure."""
    environment = {**os.environ, BINARY_DIR_VARIABLE: str(binaries)}
    try:
        result = subprocess.run(
            pytest_command(tests, keyword, arch, stop_at_first),
            cwd=REPO_ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return ClaimResult(problem=f"pytest did not finish within {TIMEOUT_SECONDS} s")
    if result.returncode == 0:
        return ClaimResult()
    failures = failures_in(result.stdout) if result.returncode == 1 else ()
    if failures:
        return ClaimResult(failures=failures)
    if result.returncode == NO_TESTS_COLLECTED:
        return ClaimResult(
            problem=f"no test selected: {' '.join(tests)} -k {selection(arch, keyword)!r}"
        )
    lines = (result.stdout + result.stderr).strip().splitlines() or [f"exit {result.returncode}"]
    return ClaimResult(problem=f"pytest exit {result.returncode}: {lines[-1]}")
