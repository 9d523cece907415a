# SPDX-License-Identifier: MIT
"""What `images --registry localhost:5000 --push --standin-bases` publishes: every tag an index of its
variant's platforms, the init at /sbin/mini-init as the entrypoint, and nothing else added, within
the size budget."""

import pytest
from container_checks import INIT_ENTRYPOINT, platforms_of
from local_registry import image_config, layer, platform_manifests
from mini_init_tools.images import BASE_VARIABLE_OF_VARIANT, VARIANTS
from mini_init_tools.paths import binary_path
from mini_init_tools.platforms import PLATFORMS, arch_of
from mini_init_tools.standins import STANDIN_FOR_VARIABLE
from mini_init_tools.version import VERSION

pytestmark = pytest.mark.docker

REPOSITORY = "mini-init"
# The init binary (at most 8192 bytes) plus its tar headers.
INIT_LAYER_BUDGET_BYTES = 16 * 1024
TAGS = [
    *VARIANTS,
    *(f"{VERSION}-{variant}" for variant in VARIANTS),
    f"{VERSION}-alpine3.20",
]


def _standin_repository_and_tag(variant: str) -> tuple[str, str]:
    standin = STANDIN_FOR_VARIABLE[BASE_VARIABLE_OF_VARIANT[variant]].removeprefix("localhost:5000/")
    repository, tag = standin.rsplit(":", 1)
    return repository, tag


@pytest.mark.parametrize("tag", TAGS)
def test_every_tag_is_an_index_of_its_variants_platforms(published_images: str, tag: str) -> None:
    name = tag.removeprefix(f"{VERSION}-")
    variant = "alpine" if name.startswith("alpine") else name  # alpine3.20 too
    assert sorted(platform_manifests(REPOSITORY, tag)) == sorted(platforms_of(variant))


@pytest.mark.parametrize("variant", VARIANTS)
def test_entrypoint_is_the_init_and_labels_name_the_version(published_images: str, variant: str) -> None:
    for manifest in platform_manifests(REPOSITORY, variant).values():
        config = image_config(REPOSITORY, manifest)
        assert config["Entrypoint"] == INIT_ENTRYPOINT
        assert config["Labels"]["org.opencontainers.image.version"] == VERSION
        assert config["Labels"]["org.opencontainers.image.licenses"] == "MIT"
        assert config["Labels"]["org.opencontainers.image.title"] == f"mini-init ({variant})"


def test_alpine_starts_a_shell_by_default(published_images: str) -> None:
    for manifest in platform_manifests(REPOSITORY, "alpine").values():
        assert image_config(REPOSITORY, manifest)["Cmd"] == ["/bin/sh"]


def test_distroless_nonroot_runs_as_nonroot(published_images: str) -> None:
    for manifest in platform_manifests(REPOSITORY, "distroless-nonroot").values():
        assert image_config(REPOSITORY, manifest)["User"] == "65532:65532"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_scratch_holds_nothing_but_the_init_within_budget(published_images: str, platform: str) -> None:
    manifest = platform_manifests(REPOSITORY, "scratch")[platform]
    assert len(manifest["layers"]) == 1
    only_layer = layer(REPOSITORY, manifest["layers"][0])
    assert set(only_layer.paths) == {"sbin", "sbin/mini-init"}
    built = binary_path(arch_of(platform)).read_bytes()
    assert only_layer.files["sbin/mini-init"] == built
    assert only_layer.uncompressed_bytes < INIT_LAYER_BUDGET_BYTES


@pytest.mark.parametrize(
    ("variant", "platform"),
    [(variant, platform) for variant in sorted(BASE_VARIABLE_OF_VARIANT)
     for platform in platforms_of(variant)],
)
def test_variant_is_its_base_plus_one_init_layer_within_budget(
    published_images: str, variant: str, platform: str
) -> None:
    standin_repository, standin_tag = _standin_repository_and_tag(variant)
    base_layers = platform_manifests(standin_repository, standin_tag)[platform]["layers"]
    layers = platform_manifests(REPOSITORY, variant)[platform]["layers"]
    assert [entry["digest"] for entry in layers[:-1]] == [entry["digest"] for entry in base_layers]
    init_layer = layer(REPOSITORY, layers[-1])
    assert set(init_layer.paths) == {"sbin", "sbin/mini-init"}
    # The binary tests/init tests on every architecture: why scenarios run on one variant.
    built = binary_path(arch_of(platform)).read_bytes()
    assert init_layer.files["sbin/mini-init"] == built
    assert init_layer.uncompressed_bytes < INIT_LAYER_BUDGET_BYTES
