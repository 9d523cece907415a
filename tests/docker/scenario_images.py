# SPDX-License-Identifier: MIT
"""The scenario test images: each mini-init variant plus the busybox sh apps (fixtures/scenario-image),
with Debian's busybox-static added where the variant has no shell, for each platform it has."""

import os
import shutil
import subprocess
from pathlib import Path

from container_checks import run_build_command
from local_registry import REGISTRY
from mini_init_tools.abi_table import ARCHITECTURES
from mini_init_tools.debian_packages import PackageSource, unpack
from mini_init_tools.paths import BUILD_DIR, REPO_ROOT
from mini_init_tools.platforms import PLATFORMS, distroless_platforms
from mini_init_tools.standins import busybox_binary, busybox_debs

SCENARIO_IMAGE_CONTEXT = Path(__file__).parent / "fixtures" / "scenario-image"
BUSYBOX_LAYER = BUILD_DIR / "test-images" / "busybox-layer"
# In the image: /busybox/busybox and one link per applet, as in distroless :debug images.
BUSYBOX_DIRECTORY = "busybox"


def scenario_image(variant: str) -> str:
    """The test tag of a variant's scenario image."""
    return f"{REGISTRY}/test/mini-init-{variant}-busybox"


def _applets(busybox: str) -> list[str]:
    """The applet names busybox lists (the arm64 and riscv64 binaries run through QEMU binfmt)."""
    result = subprocess.run(
        [busybox, "--list"], capture_output=True, text=True, timeout=60, check=True
    )
    return [name for name in result.stdout.split() if name != "busybox"]


def write_busybox_layer() -> None:
    """build/test-images/busybox-layer/ARCH/busybox/: Debian's busybox-static, from the .deb the
    stand-in bases use (cached in build/standins), and a relative link per applet; rewritten each
    time."""
    debs = busybox_debs(PackageSource())
    for arch in ARCHITECTURES:
        busybox = busybox_binary(unpack(debs[arch]))
        directory = BUSYBOX_LAYER / arch / BUSYBOX_DIRECTORY
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        shutil.copy2(busybox, directory / "busybox")
        for applet in _applets(str(busybox)):
            os.symlink("busybox", directory / applet)


def build_scenario_images() -> None:
    """Bake every variant's scenario image for each platform it has into the local image store and push
    it to the local registry (one buildkit export does both)."""
    write_busybox_layer()
    run_build_command(
        ["buildx", "bake", "--progress", "plain",
         "--file", str(SCENARIO_IMAGE_CONTEXT / "docker-bake.hcl"),
         "--set", "*.output=type=image,push=true"],
        cwd=REPO_ROOT,
        environment={
            "REGISTRY": REGISTRY,
            "BUSYBOX_LAYER": str(BUSYBOX_LAYER),
            "PLATFORMS": ",".join(PLATFORMS),
            "DISTROLESS_PLATFORMS": ",".join(distroless_platforms(PLATFORMS)),
        },
    )
