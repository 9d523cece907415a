# SPDX-License-Identifier: MIT
"""Reproducible images: every variant, rebuilt twice from a clean builder state (--no-cache: every
step runs again) with the published build's commit time and id, has the published platform
manifest digests; a difference is reported layer by layer, down to the tar entries."""

from datetime import datetime

import pytest
from container_checks import run_build_command
from image_differences import manifest_differences
from local_registry import REGISTRY, image_config, manifest, platform_digests
from mini_init_tools.images import VARIANTS
from mini_init_tools.paths import BAKE_FILE, REPO_ROOT
from mini_init_tools.platforms import PLATFORMS
from mini_init_tools.standins import STANDIN_FOR_VARIABLE

pytestmark = [pytest.mark.docker, pytest.mark.slow]

PUBLISHED = "mini-init"
# The namespaces of the two rebuilds in the local registry.
REBUILDS = ("test/rebuilt-1", "test/rebuilt-2")


def _published_build_variables() -> dict[str, str]:
    """The commit time, commit id and version the published images were built with (their labels)."""
    entry = platform_digests(PUBLISHED, "scratch")["linux/amd64"]
    labels = image_config(PUBLISHED, manifest(PUBLISHED, entry))["Labels"]
    created = datetime.fromisoformat(labels["org.opencontainers.image.created"])
    return {
        "SOURCE_DATE_EPOCH": str(int(created.timestamp())),
        "REVISION": labels["org.opencontainers.image.revision"],
        "VERSION": labels["org.opencontainers.image.version"],
    }


@pytest.fixture(scope="module")
def rebuilt(published_images: str) -> tuple[str, ...]:
    """Every variant built twice more without any cache, on the same stand-ins, and pushed."""
    variables = {
        **_published_build_variables(), **STANDIN_FOR_VARIABLE, "PLATFORMS": ",".join(PLATFORMS)
    }
    for namespace in REBUILDS:
        run_build_command(
            ["buildx", "bake", "--file", str(BAKE_FILE), "--no-cache", "--provenance=false",
             "--sbom=false", "--push"],
            cwd=REPO_ROOT,
            environment={**variables, "REGISTRY": f"{REGISTRY}/{namespace}"},
        )
    return tuple(f"{namespace}/mini-init" for namespace in REBUILDS)


@pytest.mark.parametrize("variant", VARIANTS)
def test_clean_rebuilds_have_the_published_platform_manifests(
    rebuilt: tuple[str, ...], variant: str
) -> None:
    published = platform_digests(PUBLISHED, variant)
    for repository in rebuilt:
        again = platform_digests(repository, variant)
        assert sorted(again) == sorted(published)
        differences = [
            f"{repository} {platform}: {difference}"
            for platform, digest in published.items()
            if again[platform] != digest
            for difference in manifest_differences(
                (PUBLISHED, manifest(PUBLISHED, digest)),
                (repository, manifest(repository, again[platform])),
            )
        ]
        assert not differences, "\n".join(differences)
