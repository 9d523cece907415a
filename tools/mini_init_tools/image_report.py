# SPDX-License-Identifier: MIT
"""What `mini-init-tools images` prints: each image's name, the reference that pins it by digest
(name@sha256:..., on a line of its own so it copies whole), then one short line per platform with
its compressed size and manifest digest. Nothing is laid out in cells, so no name is ever broken."""

from collections.abc import Sequence

from rich.console import Console
from rich.text import Text

from mini_init_tools.image_manifests import BuiltImage

SHORT_DIGEST_HEX = 12  # as `docker images` shortens an image id


def _size(compressed_bytes: int) -> str:
    if compressed_bytes < 1000 * 1024:
        return f"{compressed_bytes / 1024:.1f} KiB"
    return f"{compressed_bytes / 1024 / 1024:.1f} MiB"


def _short(digest: str) -> str:
    algorithm, _, hexadecimal = digest.partition(":")
    return f"{algorithm}:{hexadecimal[:SHORT_DIGEST_HEX]}"


def print_images(console: Console, images: Sequence[BuiltImage]) -> None:
    """Print every image: name, pinned reference, then platform, size and short manifest digest."""
    width = max((len(entry.platform) for image in images for entry in image.platforms), default=0)
    for image in images:
        console.print(Text(image.name, style="bold"), soft_wrap=True)
        console.print(Text.assemble("  pin  ", (image.pinned, "cyan")), soft_wrap=True)
        for entry in image.platforms:
            console.print(
                f"  {entry.platform:<{width}}  {_size(entry.compressed_bytes):>9}  "
                f"manifest {_short(entry.digest)}",
                markup=False, highlight=False, soft_wrap=True,
            )
