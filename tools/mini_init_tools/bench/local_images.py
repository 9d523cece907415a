"""The local images the Docker measurements need, and why a measurement is skipped without them."""

from collections.abc import Sequence

import docker
from docker.client import DockerClient
from docker.errors import DockerException, ImageNotFound
from requests.exceptions import RequestException

IMAGES_COMMAND = "mini-init-tools images --standin-bases"
NO_DAEMON = "skipped: Docker daemon not running (run mini-init-tools stack up)"


def variant_image(variant: str) -> str:
    """The local name `mini-init-tools images` gives a variant: `mini-init:<variant>`."""
    return f"mini-init:{variant}"


def missing_images_reason(missing: Sequence[str]) -> str:
    """The skip reason that names every missing image and the command that builds them."""
    return f"skipped: {', '.join(missing)} not in the local image store (run {IMAGES_COMMAND})"


def _is_local(client: DockerClient, name: str) -> bool:
    try:
        client.images.get(name)
    except ImageNotFound:
        return False
    return True


def connect_with_images(names: Sequence[str]) -> DockerClient | str:
    """A client when the daemon is up and holds every image in `names`, else why to skip."""
    try:
        client = docker.from_env()
        missing = [name for name in names if not _is_local(client, name)]
    except (DockerException, RequestException):
        return NO_DAEMON
    return missing_images_reason(missing) if missing else client
