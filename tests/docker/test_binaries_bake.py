# SPDX-License-Identifier: MIT
"""`docker buildx bake binaries` assembles the init in the Dockerfile's build stage (on the stand-in
of debian:bookworm-slim) for every architecture, byte for byte what `mini-init-tools build` makes
on the host with the same Debian nasm and binutils."""

import hashlib
from pathlib import Path

import pytest
from container_checks import run_build_command
from mini_init_tools.build import build_all
from mini_init_tools.paths import BAKE_FILE, REPO_ROOT
from mini_init_tools.platforms import PLATFORMS
from mini_init_tools.standins import STANDIN_FOR_VARIABLE

pytestmark = pytest.mark.docker


def test_baked_binaries_are_the_host_builds_bytes(published_images: str, tmp_path: Path) -> None:
    baked = tmp_path / "baked"
    run_build_command(
        ["buildx", "bake", "--file", str(BAKE_FILE), "--progress", "plain",
         "--set", f"binaries.output=type=local,dest={baked},platform-split=false", "binaries"],
        cwd=REPO_ROOT,
        environment={
            "BUILDER_IMAGE": STANDIN_FOR_VARIABLE["BUILDER_IMAGE"], "PLATFORMS": ",".join(PLATFORMS)
        },
    )
    host = {binary.arch: binary.sha256 for binary in build_all(output_dir=tmp_path / "host")}
    baked_digests = {
        arch: hashlib.sha256((baked / arch / "mini-init").read_bytes()).hexdigest() for arch in host
    }
    assert baked_digests == host
