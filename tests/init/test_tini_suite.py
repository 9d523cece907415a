# SPDX-License-Identifier: MIT
"""tini's own inner test suite passes against mini-init installed as `tini` (the binary of this
machine's architecture, amd64 in CI, run natively).

The suite is not in this repository: buildx/install-tools.sh fetches tini's source from Debian's
archive (checked against its sha256) into build/peers/. The test unpacks it, compiles its
sigconf-test, and runs `test/run_inner_tests.py` as tini's CI runs it: SOURCE_DIR the source,
BUILD_DIR holding `tini` and `sigconf-test`, FORCE_SUBREAPER=1, and a Python with psutil, bitmap and
python-prctl (the test extra) first on PATH for the suite's `#!/usr/bin/env python3` scripts.
It checks exit-code remapping for every code both ways, reaping (through a subreaper proxy, `-s`,
TINI_SUBREAPER), `-w`, signals, `-g` and TINI_KILL_PROCESS_GROUP, the reaping warning, the
caller's signal configuration and the parent-death signal. The same behaviours are this project's
own tests in test_drop_in.py, on every architecture."""

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from mini_init_tools.paths import TINI_SOURCE
from mini_init_tools.platforms import NATIVE_ARCH

from .conftest import InitBinaries

pytestmark = pytest.mark.slow

SUITE_TIMEOUT_SECONDS = 300
COMPILE_TIMEOUT_SECONDS = 120
ALL_PASSED = "All done, tests as expected"


@pytest.fixture
def tini_source(tmp_path: Path) -> Path:
    """tini's source, unpacked."""
    if not TINI_SOURCE.is_file():
        pytest.fail(f"{TINI_SOURCE} is missing: buildx/install-tools.sh fetches it", pytrace=False)
    with tarfile.open(TINI_SOURCE) as archive:
        archive.extractall(tmp_path)  # checked against its sha256 when fetched
    (unpacked,) = tmp_path.iterdir()
    return unpacked


def test_tini_inner_suite_passes_with_mini_init_as_tini(
    tini_source: Path, init_binaries: InitBinaries, tmp_path: Path
) -> None:
    build = tmp_path / "build"
    build.mkdir()
    shutil.copy2(init_binaries.path(NATIVE_ARCH), build / "tini")
    compiled = subprocess.run(
        ["gcc", "-o", str(build / "sigconf-test"), str(tini_source / "test/sigconf/sigconf-test.c")],
        capture_output=True, text=True, timeout=COMPILE_TIMEOUT_SECONDS, check=False,
    )
    assert compiled.returncode == 0, compiled.stderr
    python_first = os.pathsep.join((str(Path(sys.executable).parent), os.environ["PATH"]))
    suite = subprocess.run(
        [sys.executable, str(tini_source / "test/run_inner_tests.py")],
        env={**os.environ, "PATH": python_first, "SOURCE_DIR": str(tini_source),
             "BUILD_DIR": str(build), "FORCE_SUBREAPER": "1"},
        stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=SUITE_TIMEOUT_SECONDS, check=False,
    )
    output = suite.stdout + suite.stderr
    assert suite.returncode == 0, output[-6000:]
    assert ALL_PASSED in suite.stdout, output[-6000:]
