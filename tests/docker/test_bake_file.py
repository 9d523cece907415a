# SPDX-License-Identifier: MIT
"""docker-bake.hcl and the stand-ins' bake file agree with the tool: the variants, the platforms of
each (riscv64 joins every variant whose base has it), the bases and the stand-ins that replace them,
the binaries target, the attestations, the tags and docker/metadata-action's labels."""

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from mini_init_tools.docker_cli import docker_command
from mini_init_tools.images import BASE_VARIABLE_OF_VARIANT, VARIANTS, variant_platforms
from mini_init_tools.paths import BAKE_FILE, REPO_ROOT, STANDIN_BAKE_FILE
from mini_init_tools.platforms import DISTROLESS_PLATFORMS, PLATFORMS, distroless_platforms
from mini_init_tools.standins import STANDIN_FOR_VARIABLE

pytestmark = pytest.mark.docker

# The build argument that carries each variable into images/Dockerfile (the same name).
BASE_DEFAULTS = {
    "BUILDER_IMAGE": "debian:bookworm-slim",
    "ALPINE_IMAGE": "alpine:3.20",
    "DISTROLESS_IMAGE": "gcr.io/distroless/static-debian12",
    "DISTROLESS_NONROOT_IMAGE": "gcr.io/distroless/static-debian12:nonroot",
}


def _print(bake_file: Path, *targets: str, **variables: str) -> dict[str, Any]:
    result = subprocess.run(
        docker_command("buildx", "bake", "--file", str(bake_file), "--print", *targets),
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=True,
        env={"PATH": "/usr/bin:/bin", **variables},
    )
    definition: dict[str, Any] = json.loads(result.stdout)
    return definition


@pytest.fixture(scope="module")
def definition() -> dict[str, Any]:
    return _print(BAKE_FILE)


def test_default_group_is_every_variant(definition: dict[str, Any]) -> None:
    assert tuple(definition["group"]["default"]["targets"]) == VARIANTS


@pytest.mark.parametrize("variant", VARIANTS)
def test_each_variant_builds_its_platforms_from_its_own_stage(
    definition: dict[str, Any], variant: str
) -> None:
    target = definition["target"][variant]
    assert tuple(target["platforms"]) == variant_platforms(variant, PLATFORMS)
    assert target["target"] == f"mini-init-{variant}"
    assert target["dockerfile"] == "images/Dockerfile"


@pytest.mark.parametrize("variant", VARIANTS)
def test_riscv64_joins_the_variants_whose_base_is_published_for_it(
    definition: dict[str, Any], variant: str
) -> None:
    assert "linux/riscv64" in PLATFORMS
    platforms = tuple(definition["target"][variant]["platforms"])
    assert ("linux/riscv64" in platforms) == (variant in ("scratch", "alpine"))


def test_distroless_platforms_are_the_tools() -> None:
    target = _print(BAKE_FILE, "distroless", PLATFORMS=",".join(DISTROLESS_PLATFORMS))["target"]
    assert tuple(target["distroless"]["platforms"]) == DISTROLESS_PLATFORMS


@pytest.mark.parametrize("variable", sorted(BASE_DEFAULTS))
def test_each_base_is_a_variable_with_a_stand_in(definition: dict[str, Any], variable: str) -> None:
    arguments = definition["target"]["alpine"]["args"]
    assert arguments[variable] == BASE_DEFAULTS[variable]
    assert STANDIN_FOR_VARIABLE[variable].startswith("localhost:5000/standin/")


def test_each_variant_names_its_base_variable(definition: dict[str, Any]) -> None:
    for variant, variable in BASE_VARIABLE_OF_VARIANT.items():
        assert variable in definition["target"][variant]["args"]


def test_stand_in_bake_file_tags_each_stand_in_the_tool_swaps_in() -> None:
    standins = _print(STANDIN_BAKE_FILE)["target"]
    tags = {tag for target in standins.values() for tag in target["tags"]}
    assert tags == set(STANDIN_FOR_VARIABLE.values())


def test_stand_ins_follow_the_platform_lists_the_tool_passes() -> None:
    standins = _print(
        STANDIN_BAKE_FILE,
        PLATFORMS=",".join(PLATFORMS),
        DISTROLESS_PLATFORMS=",".join(distroless_platforms(PLATFORMS)),
    )["target"]
    assert "linux/riscv64" in standins["standin-alpine"]["platforms"]
    assert "linux/riscv64" not in standins["standin-distroless-static"]["platforms"]
    assert standins["standin-debian"]["platforms"] == ["linux/amd64", "linux/arm64"]


def test_images_carry_max_provenance_and_an_sbom_from_the_default_scanner(
    definition: dict[str, Any],
) -> None:
    for variant in VARIANTS:
        assert definition["target"][variant]["attest"] == [
            "type=provenance,mode=max",
            "type=sbom,generator=docker/buildkit-syft-scanner:stable-1",
        ]


def test_binaries_target_writes_build_arch_for_every_platform() -> None:
    binaries = _print(BAKE_FILE, "binaries")["target"]["binaries"]
    assert binaries["target"] == "binaries"
    assert tuple(binaries["platforms"]) == PLATFORMS
    assert binaries["output"] == ["type=local,dest=build,platform-split=false"]
    assert binaries["attest"] == ["type=provenance,disabled=true"]


def test_registry_prefixes_every_tag() -> None:
    tags = _print(BAKE_FILE, "alpine", REGISTRY="ghcr.io/acme", VERSION="9.9.9")["target"]["alpine"]["tags"]
    assert tags == [
        "ghcr.io/acme/mini-init:alpine",
        "ghcr.io/acme/mini-init:9.9.9-alpine",
        "ghcr.io/acme/mini-init:9.9.9-alpine3.20",
    ]


def test_metadata_action_labels_join_but_never_replace_the_reproducible_ones(tmp_path: Path) -> None:
    metadata = tmp_path / "docker-metadata-action-bake.json"
    metadata.write_text(json.dumps({"target": {"docker-metadata-action": {"labels": {
        "org.opencontainers.image.created": "2030-01-01T00:00:00.000Z",
        "org.opencontainers.image.url": "https://github.com/acme/mini-init",
    }}}}))
    result = subprocess.run(
        docker_command("buildx", "bake", "--file", str(BAKE_FILE), "--file", str(metadata),
                       "--print", "scratch"),
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=True,
        env={"PATH": "/usr/bin:/bin", "SOURCE_DATE_EPOCH": "86400"},
    )
    labels = json.loads(result.stdout)["target"]["scratch"]["labels"]
    assert labels["org.opencontainers.image.created"] == "1970-01-02T00:00:00Z"
    assert labels["org.opencontainers.image.url"] == "https://github.com/acme/mini-init"
