"""Builds the mini-init images with `docker buildx bake` and reports each platform's size and digest."""

import json
import os
import re
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from mini_init_tools.bake import run_bake
from mini_init_tools.build import build_all
from mini_init_tools.docker_cli import require_daemon
from mini_init_tools.errors import ToolError
from mini_init_tools.image_manifests import PlatformImage, platform_images
from mini_init_tools.paths import BAKE_FILE, BUILD_DIR, REPO_ROOT, binary_path
from mini_init_tools.programs import GIT, require_program
from mini_init_tools.standins import publish_standins
from mini_init_tools.version import VERSION

# The targets of docker-bake.hcl's `default` group and the platforms of its `_platforms` target.
VARIANTS: Final = ("scratch", "distroless", "distroless-nonroot", "alpine")
PLATFORMS: Final = ("linux/amd64", "linux/arm64")
# The FROM text each variant's base resolves to with docker-bake.hcl's defaults: the key of the
# buildx named context that swaps in a stand-in.
BASE_OF_VARIANT: Final = {
    "distroless": "gcr.io/distroless/static-debian12",
    "distroless-nonroot": "gcr.io/distroless/static-debian12:nonroot",
    "alpine": "alpine:3.20",
}
# host[:port] and an optional namespace path, as image references spell it: no scheme, no tag.
REGISTRY_FORM = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*")
METADATA_FILE = BUILD_DIR / "logs" / "bake-metadata.json"


@dataclass(frozen=True)
class ImageRequest:
    """Which images to build and where they go."""

    variants: tuple[str, ...] = VARIANTS
    platforms: tuple[str, ...] = PLATFORMS
    registry: str = ""
    push: bool = False
    standin_bases: bool = False


def check_request(request: ImageRequest) -> None:
    """Fail with one line on the first thing wrong with the request, before any work starts."""
    for value, known, kind in (
        *((variant, VARIANTS, "variant") for variant in request.variants),
        *((platform, PLATFORMS, "platform") for platform in request.platforms),
    ):
        if value not in known:
            raise ToolError(f"unknown {kind} {value!r}: choose from {', '.join(known)}")
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
    """The docker-bake.hcl variables: registry, version, and the commit's time and id."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH") or _git("log", "-1", "--format=%ct") or "0"
    if not epoch.isdigit():
        raise ToolError(f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds since 1970")
    return {
        "REGISTRY": request.registry,
        "VERSION": VERSION,
        "SOURCE_DATE_EPOCH": epoch,
        "REVISION": _git("rev-parse", "HEAD"),
    }


def bake_arguments(request: ImageRequest, base_contexts: Mapping[str, str]) -> list[str]:
    """What follows `docker buildx bake`: output, platforms, base swaps, then the targets."""
    arguments = [
        "--file", str(BAKE_FILE),
        "--metadata-file", str(METADATA_FILE),
        "--push" if request.push else "--load",
    ]
    if set(request.platforms) != set(PLATFORMS):
        arguments += ["--set", f"*.platform={','.join(request.platforms)}"]
    for variant in request.variants:
        base = BASE_OF_VARIANT.get(variant)
        if base is not None and base in base_contexts:
            arguments += ["--set", f"{variant}.contexts.{base}={base_contexts[base]}"]
    return [*arguments, *request.variants]


def _architectures(platforms: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(platform.removeprefix("linux/") for platform in platforms)


def _stamp_binaries(architectures: tuple[str, ...], epoch: int) -> None:
    """Date the binaries at the commit's time: COPY keeps mtimes, so the init layer's bytes then
    depend on the binary alone."""
    for arch in architectures:
        os.utime(binary_path(arch), (epoch, epoch))


def read_results(request: ImageRequest) -> list[PlatformImage]:
    """Each built variant's platform images, from bake's metadata file and where the images went."""
    metadata = json.loads(METADATA_FILE.read_text())
    images: list[PlatformImage] = []
    for variant in request.variants:
        built = metadata[variant]
        name = built["image.name"].split(",")[0]
        images += platform_images(name, built["containerimage.digest"], in_registry=request.push)
    return images


def build_images(request: ImageRequest, show: Callable[[str], None]) -> list[PlatformImage]:
    """Build the binaries, the stand-in bases if asked, then bake the images."""
    check_request(request)
    environment = bake_environment(request)
    require_daemon()
    architectures = _architectures(request.platforms)
    show("building the init")
    build_all(architectures)
    _stamp_binaries(architectures, int(environment["SOURCE_DATE_EPOCH"]))
    base_contexts = publish_standins(show) if request.standin_bases else {}
    METADATA_FILE.parent.mkdir(parents=True, exist_ok=True)
    METADATA_FILE.unlink(missing_ok=True)
    run_bake(bake_arguments(request, base_contexts), environment, show)
    return read_results(request)
