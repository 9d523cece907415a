# SPDX-License-Identifier: MIT
"""`mini-init-tools images`: the stand-ins when asked, then `docker buildx bake` twice: the binaries
(build/<arch>/mini-init, assembled in the Dockerfile's build stage) and the images. Reports each
image's index digest and each platform's size and manifest digest."""

import json
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from mini_init_tools.bake import BakeProgress, Baker, require_builder
from mini_init_tools.docker_cli import require_daemon
from mini_init_tools.errors import ToolError
from mini_init_tools.image_manifests import BuiltImage, familiar_name, platform_images
from mini_init_tools.paths import BAKE_FILE, BUILD_DIR, REPO_ROOT, binary_path
from mini_init_tools.platforms import (
    DISTROLESS_PLATFORMS,
    PLATFORMS,
    arch_of,
    distroless_platforms,
)
from mini_init_tools.programs import GIT, require_program
from mini_init_tools.standins import publish_standins
from mini_init_tools.version import VERSION

# The targets of docker-bake.hcl's `default` group.
VARIANTS: Final = ("scratch", "distroless", "distroless-nonroot", "alpine")
# The docker-bake.hcl variable that names each variant's base (scratch has none).
BASE_VARIABLE_OF_VARIANT: Final = {
    "distroless": "DISTROLESS_IMAGE",
    "distroless-nonroot": "DISTROLESS_NONROOT_IMAGE",
    "alpine": "ALPINE_IMAGE",
}
DISTROLESS_VARIANTS: Final = ("distroless", "distroless-nonroot")
# host[:port] and an optional namespace path, as image references spell it: no scheme, no tag.
REGISTRY_FORM = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*")
METADATA_FILE = BUILD_DIR / "logs" / "bake-metadata.json"
# bake writes the binaries into a directory of each run's own in here, then each replaces
# build/<arch>/mini-init in one rename.
BINARIES_STAGING = BUILD_DIR / "images"


@dataclass(frozen=True)
class ImageRequest:
    """Which images to build, where they go, and on which buildx builder."""

    variants: tuple[str, ...] = VARIANTS
    platforms: tuple[str, ...] = PLATFORMS
    registry: str = ""
    push: bool = False
    standin_bases: bool = False
    builder: str = ""


def variant_platforms(variant: str, platforms: tuple[str, ...]) -> tuple[str, ...]:
    """The platforms of `platforms` a variant is built for: its base must be published for them."""
    return distroless_platforms(platforms) if variant in DISTROLESS_VARIANTS else platforms


def check_request(request: ImageRequest, known_platforms: tuple[str, ...] = PLATFORMS) -> None:
    """Fail with one line on the first thing wrong with the request, before any work starts."""
    for value, known, kind in (
        *((variant, VARIANTS, "variant") for variant in request.variants),
        *((platform, known_platforms, "platform") for platform in request.platforms),
    ):
        if value not in known:
            raise ToolError(f"unknown {kind} {value!r}: choose from {', '.join(known)}")
    for variant in request.variants:
        if not variant_platforms(variant, request.platforms):
            raise ToolError(
                f"the {variant} variant cannot be built for {', '.join(request.platforms)}: "
                f"its base is published for {', '.join(DISTROLESS_PLATFORMS)}"
            )
    if request.registry and not REGISTRY_FORM.fullmatch(request.registry):
        raise ToolError(
            f"--registry {request.registry!r} is not a registry: give host[:port][/namespace], "
            "for example localhost:5000"
        )
    if request.push and not request.registry:
        raise ToolError("--push needs --registry to say where: for example --registry localhost:5000")


def _git(*arguments: str) -> str:
    result = subprocess.run(
        [require_program(GIT), "-C", str(REPO_ROOT), *arguments],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() if result.returncode == 0 else ""


def bake_environment(request: ImageRequest) -> dict[str, str]:
    """The docker-bake.hcl variables: registry, version, platforms, and the commit's time and id."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH") or _git("log", "-1", "--format=%ct") or "0"
    if not epoch.isdigit():
        raise ToolError(f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds since 1970")
    return {
        "REGISTRY": request.registry,
        "VERSION": VERSION,
        "SOURCE_DATE_EPOCH": epoch,
        "REVISION": _git("rev-parse", "HEAD"),
        "PLATFORMS": ",".join(request.platforms),
    }


def binaries_arguments(staging: Path) -> list[str]:
    """What follows `docker buildx bake` for the binaries: the `binaries` target, written to
    `staging` instead of build/."""
    return [
        "--file", str(BAKE_FILE),
        "--set", f"binaries.output=type=local,dest={staging},platform-split=false",
        "binaries",
    ]


def image_arguments(request: ImageRequest) -> list[str]:
    """What follows `docker buildx bake` for the images: where they go, then the variants."""
    return [
        "--file", str(BAKE_FILE),
        "--metadata-file", str(METADATA_FILE),
        "--push" if request.push else "--load",
        *request.variants,
    ]


def install_binaries(staging: Path, platforms: tuple[str, ...]) -> None:
    """Move each binary bake wrote into build/<arch>/mini-init, replacing the old one atomically
    (a test running the old binary never sees a missing file)."""
    for platform in platforms:
        arch = arch_of(platform)
        written, target = staging / arch / "mini-init", binary_path(arch)
        if not written.is_file():
            raise ToolError(f"docker buildx bake binaries wrote no {arch}/mini-init into {staging}")
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(written, target)


def bake_binaries(baker: Baker, platforms: tuple[str, ...], environment: dict[str, str]) -> None:
    """Bake the binaries into a directory of this run's own (another run may bake at the same
    time), then move each into build/<arch>/."""
    BINARIES_STAGING.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="binaries-", dir=BINARIES_STAGING) as staging:
        baker.bake("the binaries", binaries_arguments(Path(staging)), environment)
        install_binaries(Path(staging), platforms)


def read_results(request: ImageRequest) -> list[BuiltImage]:
    """Each built variant: its index digest and platform images, from bake's metadata file and
    where the images went."""
    metadata = json.loads(METADATA_FILE.read_text())
    images = []
    for variant in request.variants:
        built = metadata[variant]
        name = built["image.name"].split(",")[0]
        digest = built["containerimage.digest"]
        platforms = platform_images(name, digest, in_registry=request.push)
        images.append(BuiltImage(familiar_name(name), digest, tuple(platforms)))
    return images


def build_images(request: ImageRequest, progress: BakeProgress) -> list[BuiltImage]:
    """The stand-ins if asked, the binaries, then the images."""
    check_request(request)
    environment = bake_environment(request)
    require_daemon()
    if request.builder:
        require_builder(request.builder)
    baker = Baker(progress, request.builder)
    if request.standin_bases:
        environment |= publish_standins(baker)
    progress.step(f"building the init for {', '.join(request.platforms)}")
    bake_binaries(baker, request.platforms, environment)
    progress.step(f"building the images: {', '.join(request.variants)}")
    METADATA_FILE.parent.mkdir(parents=True, exist_ok=True)
    METADATA_FILE.unlink(missing_ok=True)
    baker.bake("the images", image_arguments(request), environment)
    return read_results(request)
