# SPDX-License-Identifier: MIT
"""Every pushed index carries, for each platform, max-mode provenance (its materials name the bases
by digest; the source revision is recorded) and an SPDX SBOM that lists the init (version, sha256,
revision) and the base's packages, both read back with `docker buildx imagetools inspect`. Baked
from the Git context, as the release workflow bakes a tag, the commit itself is a material."""

import hashlib
import json
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from container_checks import platforms_of, run_build_command
from local_registry import REGISTRY, image_config, layer, manifest, platform_digests, tag_digest
from mini_init_tools.docker_cli import docker_command
from mini_init_tools.images import BASE_VARIABLE_OF_VARIANT, VARIANTS
from mini_init_tools.paths import REPO_ROOT
from mini_init_tools.standins import STANDIN_FOR_VARIABLE

pytestmark = pytest.mark.docker

REPOSITORY = "mini-init"
GIT_CONTEXT_REPOSITORY = "mini-init-from-git"
GIT_DAEMON_START_SECONDS = 10
BUILD_PLATFORM = "linux/amd64"  # where the build stage and the scanner ran
# Packages each stand-in base holds, as its SBOM must list them (scratch has none).
BASE_PACKAGES = {
    "scratch": set(),
    "distroless": {"tzdata", "netbase", "media-types"},
    "distroless-nonroot": {"tzdata", "netbase", "media-types"},
    "alpine": {"busybox-static"},
}


def _inspect(variant: str, field: str, repository: str = REPOSITORY) -> dict[str, Any]:
    result = subprocess.run(
        docker_command("buildx", "imagetools", "inspect", f"{REGISTRY}/{repository}:{variant}",
                       "--format", f"{{{{json .{field}}}}}"),
        capture_output=True, text=True, timeout=120, check=True,
    )
    inspected: dict[str, Any] = json.loads(result.stdout)
    return inspected


def _labels(variant: str, platform: str) -> dict[str, str]:
    digest = platform_digests(REPOSITORY, variant)[platform]
    labels: dict[str, str] = image_config(REPOSITORY, manifest(REPOSITORY, digest))["Labels"]
    return labels


def _standin_material(variable: str, platform: str) -> tuple[str, str]:
    """How provenance names a stand-in resolved for `platform`: its package URL and the digest its
    tag pointed to (the index)."""
    name, tag = STANDIN_FOR_VARIABLE[variable].rsplit(":", 1)
    repository = name.removeprefix(f"{REGISTRY}/")
    return f"pkg:docker/{name}@{tag}?platform={platform}", tag_digest(repository, tag)


def _materials(provenance: dict[str, Any]) -> dict[str, str]:
    """Each material's URI (decoded) and its digest as `algorithm:value` (sha256 for an image, sha1
    for a Git commit)."""
    return {
        unquote(material["uri"]): ":".join(*material["digest"].items())
        for material in provenance["materials"]
    }


@pytest.fixture(scope="module", params=VARIANTS)
def variant(request: pytest.FixtureRequest, published_images: str) -> str:
    name: str = request.param
    return name


def test_every_platform_has_an_attestation_manifest(variant: str) -> None:
    index = manifest(REPOSITORY, variant)
    attested = {
        entry["annotations"]["vnd.docker.reference.digest"]
        for entry in index["manifests"]
        if entry.get("annotations", {}).get("vnd.docker.reference.type") == "attestation-manifest"
    }
    assert attested == set(platform_digests(REPOSITORY, variant).values())


def test_provenance_is_max_mode_and_names_the_bases_by_digest(variant: str) -> None:
    provenance = _inspect(variant, "Provenance")
    for platform in platforms_of(variant):
        slsa = provenance[platform]["SLSA"]
        assert "llbDefinition" in slsa["buildConfig"]  # recorded in max mode only
        materials = _materials(slsa)
        bases = [("BUILDER_IMAGE", BUILD_PLATFORM)]
        if variant in BASE_VARIABLE_OF_VARIANT:
            bases.append((BASE_VARIABLE_OF_VARIANT[variant], platform))
        for variable, resolved_for in bases:
            uri, digest = _standin_material(variable, resolved_for)
            assert materials.get(uri) == digest, (uri, materials)


def test_provenance_records_the_source_revision(variant: str) -> None:
    provenance = _inspect(variant, "Provenance")
    for platform in platforms_of(variant):
        slsa = provenance[platform]["SLSA"]
        revision = _labels(variant, platform)["org.opencontainers.image.revision"]
        assert len(revision) == 40
        assert slsa["invocation"]["parameters"]["args"]["build-arg:REVISION"] == revision
        vcs = slsa["metadata"]["https://mobyproject.org/buildkit@v1#metadata"]["vcs"]
        assert vcs["revision"].removesuffix("-dirty") == revision


def test_sbom_lists_the_init_with_version_sha256_and_revision(variant: str) -> None:
    sbom = _inspect(variant, "SBOM")
    for platform in platforms_of(variant):
        documents = [sbom[platform]["SPDX"], *sbom[platform].get("AdditionalSPDXs", [])]
        inits = [
            package for document in documents for package in document.get("packages", [])
            if package["name"] == "mini-init"
        ]
        assert len(inits) == 1, documents
        digest = platform_digests(REPOSITORY, variant)[platform]
        init_layer = layer(REPOSITORY, manifest(REPOSITORY, digest)["layers"][-1])
        labels = _labels(variant, platform)
        assert inits[0]["versionInfo"] == labels["org.opencontainers.image.version"]
        assert inits[0]["checksums"] == [{
            "algorithm": "SHA256",
            "checksumValue": hashlib.sha256(init_layer.files["sbin/mini-init"]).hexdigest(),
        }]
        assert labels["org.opencontainers.image.revision"] in inits[0]["comment"]


def test_sbom_lists_the_base_images_packages(variant: str) -> None:
    sbom = _inspect(variant, "SBOM")
    for platform in platforms_of(variant):
        core = sbom[platform]["SPDX"]
        assert core["spdxVersion"].startswith("SPDX-")
        assert {package["name"] for package in core.get("packages", [])} == BASE_PACKAGES[variant]


@pytest.fixture(scope="module")
def served_checkout() -> Iterator[str]:
    """This checkout's repository served read-only by `git daemon` on 127.0.0.1, as a Git host
    serves a tag to BuildKit. Returns its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    daemon = subprocess.Popen(
        ["git", "daemon", "--export-all", "--reuseaddr", "--listen=127.0.0.1", f"--port={port}",
         f"--base-path={REPO_ROOT.parent}", str(REPO_ROOT)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"git://127.0.0.1:{port}/{REPO_ROOT.name}"
    try:
        deadline = time.monotonic() + GIT_DAEMON_START_SECONDS
        while subprocess.run(["git", "ls-remote", url, "HEAD"], capture_output=True,
                             timeout=GIT_DAEMON_START_SECONDS, check=False).returncode != 0:
            assert time.monotonic() < deadline, f"git daemon did not serve {url}"
            time.sleep(0.2)
        yield url
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)


def test_bake_from_the_git_context_names_the_commit_as_a_material(
    served_checkout: str, published_images: str, tmp_path: Path
) -> None:
    """`docker buildx bake <repository>#<commit>` (what docker/bake-action runs in the release
    workflow) reads the bake file and the sources from that commit; its provenance then lists the
    repository at that commit, by its Git object id, next to the bases."""
    commit = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"],
                            capture_output=True, text=True, timeout=30, check=True).stdout.strip()
    context = f"{served_checkout}#{commit}"
    run_build_command(
        ["buildx", "bake", context, "scratch", "--push",
         "--set", "scratch.platform=linux/amd64",
         "--set", f"scratch.tags={REGISTRY}/{GIT_CONTEXT_REPOSITORY}:scratch"],
        cwd=tmp_path, environment={**STANDIN_FOR_VARIABLE, "REVISION": commit},
    )
    slsa = _inspect("scratch", "Provenance", GIT_CONTEXT_REPOSITORY)["SLSA"]
    materials = _materials(slsa)
    assert materials.get(context) == f"sha1:{commit}", materials
    uri, digest = _standin_material("BUILDER_IMAGE", BUILD_PLATFORM)
    assert materials.get(uri) == digest, materials
    assert slsa["invocation"]["configSource"] == {
        "uri": context, "digest": {"sha1": commit}, "entryPoint": "images/Dockerfile",
    }
