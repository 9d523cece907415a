# SPDX-License-Identifier: MIT
"""Reads what a build produced, each platform's manifest digest and compressed size, from the local
image store (the containerd that dockerd runs) or from the registry the images were pushed to."""

import json
import subprocess
from dataclasses import dataclass
from typing import Any

from mini_init_tools.docker_cli import run_docker
from mini_init_tools.errors import ToolError

CONTAINERD_SOCKET = "/run/docker/containerd/containerd.sock"
CONTAINERD_NAMESPACE = "moby"
DOCKER_HUB_PREFIX = "docker.io/library/"


@dataclass(frozen=True)
class PlatformImage:
    """One platform's image inside a multi-platform index."""

    image: str
    platform: str
    compressed_bytes: int
    digest: str


@dataclass(frozen=True)
class BuiltImage:
    """One multi-platform image as built: its name, its index digest and each platform's image."""

    name: str
    index_digest: str
    platforms: tuple[PlatformImage, ...]

    @property
    def pinned(self) -> str:
        """The reference that names exactly this build: repository@sha256:..."""
        return f"{repository(self.name)}@{self.index_digest}"


def familiar_name(name: str) -> str:
    """`docker.io/library/mini-init:alpine` as users write it: `mini-init:alpine`."""
    return name.removeprefix(DOCKER_HUB_PREFIX)


def repository(name: str) -> str:
    """The name without its tag: `localhost:5000/mini-init:alpine` -> `localhost:5000/mini-init`."""
    last_colon, last_slash = name.rfind(":"), name.rfind("/")
    return name[:last_colon] if last_colon > last_slash else name


def read_local_content(digest: str) -> bytes:
    """The bytes of one blob (index, manifest, config or layer) in the local image store."""
    result = subprocess.run(
        ["ctr", "--address", CONTAINERD_SOCKET, "--namespace", CONTAINERD_NAMESPACE]
        + ["content", "get", digest],
        capture_output=True,
        timeout=30,
        check=False,
    )
    if result.returncode != 0:
        reason = result.stderr.decode().strip()
        raise ToolError(f"cannot read {digest} from the local image store: {reason}")
    return result.stdout


def _json_object(text: str | bytes) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(text)
    return document


def _read_local(digest: str) -> dict[str, Any]:
    return _json_object(read_local_content(digest))


def _read_from_registry(name: str, digest: str) -> dict[str, Any]:
    reference = f"{repository(name)}@{digest}"
    return _json_object(run_docker(["buildx", "imagetools", "inspect", "--raw", reference], timeout=60))


def _platform(descriptor: dict[str, Any]) -> str | None:
    platform = descriptor.get("platform", {})
    if platform.get("os", "unknown") == "unknown":
        return None  # an attestation manifest, not an image
    variant = f"/{platform['variant']}" if platform.get("variant") else ""
    return f"{platform['os']}/{platform['architecture']}{variant}"


def platform_images(name: str, index_digest: str, *, in_registry: bool) -> list[PlatformImage]:
    """Each platform of the index `index_digest` built as `name`, read where the build left it."""

    def read(digest: str) -> dict[str, Any]:
        return _read_from_registry(name, digest) if in_registry else _read_local(digest)

    images = []
    for descriptor in read(index_digest).get("manifests", []):
        platform = _platform(descriptor)
        if platform is None:
            continue
        manifest = read(descriptor["digest"])
        compressed = sum(layer["size"] for layer in manifest.get("layers", []))
        images.append(PlatformImage(familiar_name(name), platform, compressed, descriptor["digest"]))
    return images
