"""docker-bake.hcl and the tool agree: the default group is every variant, and each variant's base
is the FROM text the tool swaps for a stand-in."""

import json
import subprocess

import pytest
from mini_init_tools.docker_cli import docker_command
from mini_init_tools.images import BASE_OF_VARIANT, PLATFORMS, VARIANTS
from mini_init_tools.paths import BAKE_FILE, REPO_ROOT
from mini_init_tools.standins import STANDIN_FOR_BASE

pytestmark = pytest.mark.docker

# The build argument that carries each variant's base into images/Dockerfile.
BASE_ARGUMENT = {
    "distroless": "DISTROLESS_IMAGE",
    "distroless-nonroot": "DISTROLESS_NONROOT_IMAGE",
    "alpine": "ALPINE_IMAGE",
}


@pytest.fixture(scope="module")
def definition() -> dict:
    result = subprocess.run(
        docker_command("buildx", "bake", "--file", str(BAKE_FILE), "--print"),
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=True,
    )
    return json.loads(result.stdout)


def test_default_group_is_every_variant(definition: dict) -> None:
    assert tuple(definition["group"]["default"]["targets"]) == VARIANTS


@pytest.mark.parametrize("variant", VARIANTS)
def test_each_variant_builds_both_platforms_from_its_own_stage(definition: dict, variant: str) -> None:
    target = definition["target"][variant]
    assert tuple(target["platforms"]) == PLATFORMS
    assert target["target"] == f"mini-init-{variant}"
    assert target["dockerfile"] == "images/Dockerfile"


@pytest.mark.parametrize("variant", sorted(BASE_OF_VARIANT))
def test_base_from_text_is_the_key_the_tool_swaps(definition: dict, variant: str) -> None:
    base = definition["target"][variant]["args"][BASE_ARGUMENT[variant]]
    assert base == BASE_OF_VARIANT[variant]
    assert base in STANDIN_FOR_BASE


def test_registry_prefixes_every_tag(definition: dict) -> None:
    result = subprocess.run(
        docker_command("buildx", "bake", "--file", str(BAKE_FILE), "--print", "alpine"),
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=True,
        env={"REGISTRY": "ghcr.io/acme", "VERSION": "9.9.9", "PATH": "/usr/bin:/bin"},
    )
    tags = json.loads(result.stdout)["target"]["alpine"]["tags"]
    assert tags == [
        "ghcr.io/acme/mini-init:alpine",
        "ghcr.io/acme/mini-init:9.9.9-alpine",
        "ghcr.io/acme/mini-init:9.9.9-alpine3.20",
    ]
