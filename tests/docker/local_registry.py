# SPDX-License-Identifier: MIT
"""Reads images from the local registry on 127.0.0.1:5000 over its HTTP API (distribution v2)."""

import gzip
import hashlib
import io
import json
import tarfile
import urllib.request
from dataclasses import dataclass, field
from typing import Any

REGISTRY = "localhost:5000"
API = "http://127.0.0.1:5000/v2"
MANIFEST_TYPES = (
    "application/vnd.oci.image.index.v1+json, "
    "application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.docker.distribution.manifest.v2+json"
)


@dataclass(frozen=True)
class Layer:
    """One layer, unpacked: its size compressed and not, and the paths it holds."""

    compressed_bytes: int
    uncompressed_bytes: int
    paths: tuple[str, ...]
    files: dict[str, bytes] = field(repr=False)


def _get(path: str, accept: str = "*/*") -> bytes:
    request = urllib.request.Request(f"{API}/{path}", headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=30) as response:
        body: bytes = response.read()
    return body


def blob(repository: str, digest: str) -> bytes:
    """The bytes of one blob (a config or a layer) as the registry stores it."""
    return _get(f"{repository}/blobs/{digest}")


def manifest(repository: str, reference: str) -> dict[str, Any]:
    """The manifest or index that `reference` (a tag or a digest) names."""
    named: dict[str, Any] = json.loads(_get(f"{repository}/manifests/{reference}", MANIFEST_TYPES))
    return named


def tag_digest(repository: str, tag: str) -> str:
    """The digest of what `tag` names (for a multi-platform image: its index)."""
    return f"sha256:{hashlib.sha256(_get(f'{repository}/manifests/{tag}', MANIFEST_TYPES)).hexdigest()}"


def platform_digests(repository: str, tag: str) -> dict[str, str]:
    """Each platform's manifest digest in the index `tag`, attestations left out."""
    return {
        f"{entry['platform']['os']}/{entry['platform']['architecture']}": entry["digest"]
        for entry in manifest(repository, tag)["manifests"]
        if entry.get("platform", {}).get("os") not in (None, "unknown")
    }


def platform_manifests(repository: str, tag: str) -> dict[str, dict[str, Any]]:
    """Each platform's image manifest in the index `tag`, attestations left out."""
    index = manifest(repository, tag)
    found = {}
    for entry in index["manifests"]:
        platform = entry.get("platform", {})
        if platform.get("os") in (None, "unknown"):
            continue
        found[f"{platform['os']}/{platform['architecture']}"] = manifest(repository, entry["digest"])
    return found


def image_config(repository: str, image_manifest: dict[str, Any]) -> dict[str, Any]:
    """The image configuration (ENTRYPOINT, CMD, USER, labels) of one platform's manifest."""
    config: dict[str, Any] = json.loads(blob(repository, image_manifest["config"]["digest"]))["config"]
    return config


def layer(repository: str, descriptor: dict[str, Any]) -> Layer:
    """Download and unpack one layer."""
    compressed = blob(repository, descriptor["digest"])
    data = gzip.decompress(compressed) if descriptor["mediaType"].endswith("gzip") else compressed
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        members = archive.getmembers()
        files = {
            member.name: archive.extractfile(member).read()  # type: ignore[union-attr]
            for member in members
            if member.isfile()
        }
    return Layer(len(compressed), len(data), tuple(member.name for member in members), files)
