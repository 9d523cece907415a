"""Compressed and uncompressed size of each mini-init image per platform, next to its bare base."""

import gzip
import json
from collections.abc import Sequence
from dataclasses import dataclass
from subprocess import SubprocessError
from typing import Any, TypedDict

from docker.client import DockerClient
from docker.errors import DockerException
from requests.exceptions import RequestException

from mini_init_tools.bench.local_images import IMAGES_COMMAND, connect_with_images, variant_image
from mini_init_tools.errors import ToolError
from mini_init_tools.image_manifests import platform_images, read_local_content
from mini_init_tools.images import BASE_VARIABLE_OF_VARIANT, VARIANTS, variant_platforms
from mini_init_tools.platforms import PLATFORMS
from mini_init_tools.standins import STANDIN_FOR_VARIABLE

SCRATCH = "scratch"  # no base at all: every byte of the image is the init layer's


@dataclass(frozen=True)
class Layer:
    """One layer blob: its digest, its bytes as stored and its bytes as a plain tar."""

    digest: str
    compressed_bytes: int
    uncompressed_bytes: int


class ImageSize(TypedDict):
    """One variant on one platform: the image, its base and the layer the image adds, in bytes."""

    image: str
    platform: str
    base: str
    compressed_bytes: int
    uncompressed_bytes: int
    base_compressed_bytes: int
    base_uncompressed_bytes: int
    init_layer_compressed_bytes: int
    init_layer_uncompressed_bytes: int


class ImageSizesResult(TypedDict, total=False):
    """Every variant on each platform it is built for; or why nothing was measured."""

    skipped: str
    images: list[ImageSize]


def base_of(variant: str) -> str:
    """The stand-in base `mini-init-tools images --standin-bases` builds the variant on."""
    variable = BASE_VARIABLE_OF_VARIANT.get(variant)
    return SCRATCH if variable is None else STANDIN_FOR_VARIABLE[variable]


def uncompressed_bytes(descriptor: dict[str, Any]) -> int:
    """Bytes of the layer's tar: the blob read from the local store, decompressed and counted."""
    media_type = descriptor["mediaType"]
    blob = read_local_content(descriptor["digest"])
    if media_type.endswith("gzip"):
        return len(gzip.decompress(blob))
    if media_type.endswith(".tar"):
        return len(blob)
    raise ToolError(f"layer {descriptor['digest']} is {media_type}: only gzip or plain tar is read")


def _layers(manifest_digest: str) -> list[Layer]:
    manifest = json.loads(read_local_content(manifest_digest))
    return [
        Layer(descriptor["digest"], descriptor["size"], uncompressed_bytes(descriptor))
        for descriptor in manifest.get("layers", [])
    ]


def layers_by_platform(client: DockerClient, name: str) -> dict[str, list[Layer]]:
    """The layers of each platform of a local image (its ID is its index digest)."""
    index_digest = client.images.get(name).id
    return {
        image.platform: _layers(image.digest)
        for image in platform_images(name, index_digest, in_registry=False)
    }


def size_row(
    image: str,
    platform: str,
    base: str,
    image_layers: Sequence[Layer],
    base_layers: Sequence[Layer],
) -> ImageSize:
    """The figures of one platform image; its layers past the base's are the init layer."""
    base_digests = [layer.digest for layer in base_layers]
    if [layer.digest for layer in image_layers[: len(base_layers)]] != base_digests:
        raise ToolError(
            f"{image} ({platform}) is not built on the local {base}: run {IMAGES_COMMAND}"
        )
    init_layers = image_layers[len(base_layers) :]
    return ImageSize(
        image=image,
        platform=platform,
        base=base,
        compressed_bytes=sum(layer.compressed_bytes for layer in image_layers),
        uncompressed_bytes=sum(layer.uncompressed_bytes for layer in image_layers),
        base_compressed_bytes=sum(layer.compressed_bytes for layer in base_layers),
        base_uncompressed_bytes=sum(layer.uncompressed_bytes for layer in base_layers),
        init_layer_compressed_bytes=sum(layer.compressed_bytes for layer in init_layers),
        init_layer_uncompressed_bytes=sum(layer.uncompressed_bytes for layer in init_layers),
    )


def _base_layers_by_platform(client: DockerClient, base: str) -> dict[str, list[Layer]]:
    if base == SCRATCH:
        return {platform: [] for platform in PLATFORMS}
    return layers_by_platform(client, base)


def _on_platform(by_platform: dict[str, list[Layer]], name: str, platform: str) -> list[Layer]:
    if platform not in by_platform:
        raise ToolError(f"{name} has no {platform} image: run {IMAGES_COMMAND}")
    return by_platform[platform]


def _variant_sizes(client: DockerClient, variant: str) -> list[ImageSize]:
    image, base = variant_image(variant), base_of(variant)
    image_layers = layers_by_platform(client, image)
    base_layers = _base_layers_by_platform(client, base)
    return [
        size_row(
            image,
            platform,
            base,
            _on_platform(image_layers, image, platform),
            _on_platform(base_layers, base, platform),
        )
        for platform in variant_platforms(variant, PLATFORMS)
    ]


def measure_image_sizes() -> ImageSizesResult:
    """Every variant on each platform it is built for, next to its base; or why it was skipped."""
    bases = sorted({base_of(variant) for variant in VARIANTS} - {SCRATCH})
    client = connect_with_images([*(variant_image(variant) for variant in VARIANTS), *bases])
    if isinstance(client, str):
        return ImageSizesResult(skipped=client)
    try:
        images = [row for variant in VARIANTS for row in _variant_sizes(client, variant)]
    except (DockerException, RequestException, ToolError, OSError, SubprocessError) as error:
        return ImageSizesResult(skipped=f"skipped: cannot read the images' layers ({error})")
    return ImageSizesResult(images=images)
