# SPDX-License-Identifier: MIT
"""Why two builds of one image are not the same bytes: the configs compared field by field, then
each layer, down to its tar entries (mode, owner, time, size, content)."""

import gzip
import hashlib
import io
import json
import tarfile
from typing import Any

from local_registry import blob

Entry = tuple[int, int, int, int, int, str]  # mode, uid, gid, mtime, size, content hash or link


def _flatten(value: Any, path: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        return {key: leaf for name, item in value.items() for key, leaf in _flatten(item, f"{path}.{name}").items()}
    if isinstance(value, list):
        return {key: leaf for index, item in enumerate(value) for key, leaf in _flatten(item, f"{path}[{index}]").items()}
    return {path or ".": value}


def _entries(repository: str, descriptor: dict[str, Any]) -> dict[str, Entry]:
    data = blob(repository, descriptor["digest"])
    if descriptor["mediaType"].endswith("gzip"):
        data = gzip.decompress(data)
    entries: dict[str, Entry] = {}
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        for member in archive.getmembers():
            content = archive.extractfile(member) if member.isfile() else None
            identity = hashlib.sha256(content.read()).hexdigest()[:12] if content else member.linkname
            entries[member.name] = (member.mode, member.uid, member.gid, int(member.mtime),
                                    member.size, identity)
    return entries


def _layer_differences(
    index: int, first: tuple[str, dict[str, Any]], second: tuple[str, dict[str, Any]]
) -> list[str]:
    (first_repository, first_layer), (second_repository, second_layer) = first, second
    head = f"layer {index} ({first_layer['digest'][:19]} vs {second_layer['digest'][:19]})"
    first_entries = _entries(first_repository, first_layer)
    second_entries = _entries(second_repository, second_layer)
    fields = ("mode", "uid", "gid", "mtime", "size", "content")
    found = []
    for name in sorted(set(first_entries) | set(second_entries)):
        one, other = first_entries.get(name), second_entries.get(name)
        if one is None or other is None:
            found.append(f"{head}: {name} only in the {'second' if one is None else 'first'} build")
            continue
        found += [
            f"{head}: {name} {field} {left!r} != {right!r}"
            for field, left, right in zip(fields, one, other, strict=True)
            if left != right
        ]
    return found or [f"{head}: the same entries, compressed to different bytes"]


def manifest_differences(
    first: tuple[str, dict[str, Any]], second: tuple[str, dict[str, Any]]
) -> list[str]:
    """Every difference between two image manifests, each given with the repository it is in."""
    (first_repository, first_manifest), (second_repository, second_manifest) = first, second
    found = []
    if first_manifest["config"]["digest"] != second_manifest["config"]["digest"]:
        configs = [
            _flatten(json.loads(blob(repository, manifest["config"]["digest"])))
            for repository, manifest in (first, second)
        ]
        found += [
            f"config {key}: {configs[0].get(key)!r} != {configs[1].get(key)!r}"
            for key in sorted(set(configs[0]) | set(configs[1]))
            if configs[0].get(key) != configs[1].get(key)
        ]
    first_layers, second_layers = first_manifest["layers"], second_manifest["layers"]
    if len(first_layers) != len(second_layers):
        found.append(f"{len(first_layers)} layers != {len(second_layers)} layers")
    for index, (one, other) in enumerate(zip(first_layers, second_layers, strict=False)):
        if one["digest"] != other["digest"]:
            found += _layer_differences(index, (first_repository, one), (second_repository, other))
    return found
