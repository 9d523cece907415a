# SPDX-License-Identifier: MIT
"""A fresh clone (this checkout's files, no build/) needs nothing built first: with the documented
overrides that name the local stand-ins, `docker buildx bake binaries` writes build/<arch>/mini-init
(the bytes `mini-init-tools build` makes there) and `docker buildx bake` builds every image, with
no pull from any registry."""

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from container_checks import run_build_command
from mini_init_tools.abi_table import ARCHITECTURES
from mini_init_tools.paths import REPO_ROOT
from mini_init_tools.standins import STANDIN_FOR_VARIABLE

pytestmark = [pytest.mark.docker, pytest.mark.slow]


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory, published_images: str) -> Path:
    """The files a clone of this checkout holds, with its uncommitted changes; no build/."""
    clone = tmp_path_factory.mktemp("fresh-clone")
    listed = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout
    for name in filter(None, listed.split("\0")):
        source = REPO_ROOT / name
        if source.is_file() and not name.startswith("build/"):
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / name, follow_symlinks=False)
    return clone


def _sha256s(build: Path) -> dict[str, str]:
    return {
        arch: hashlib.sha256((build / arch / "mini-init").read_bytes()).hexdigest()
        for arch in ARCHITECTURES
    }


def test_bake_binaries_writes_build_arch_as_mini_init_tools_build_does(clone: Path) -> None:
    assert not (clone / "build").exists()
    run_build_command(["buildx", "bake", "binaries"], cwd=clone, environment=STANDIN_FOR_VARIABLE)
    baked = _sha256s(clone / "build")
    built = subprocess.run(
        [sys.executable, "-m", "mini_init_tools", "build"],
        cwd=clone, env={**os.environ, "PYTHONPATH": str(clone / "tools")},
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert built.returncode == 0, built.stderr
    assert _sha256s(clone / "build") == baked


def test_bake_builds_every_image(clone: Path) -> None:
    run_build_command(
        ["buildx", "bake", "--set", "*.output=type=cacheonly"],
        cwd=clone, environment=STANDIN_FOR_VARIABLE,
    )
