"""Fixtures for the Docker suites: the stack, checked once, and the images built and pushed once."""

import subprocess
import sys

import docker
import pytest

from local_registry import REGISTRY

STACK_UP_TIMEOUT_SECONDS = 900
IMAGES_TIMEOUT_SECONDS = 1200


def _run_tool(*arguments: str, timeout: float) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mini_init_tools", *arguments],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"`mini-init-tools {' '.join(arguments)}` exited {result.returncode}:\n"
            f"{result.stdout[-2000:]}{result.stderr[-4000:]}",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def docker_client() -> docker.DockerClient:
    """The engine, after `stack up` (which only checks where the stack is already up)."""
    _run_tool("stack", "up", timeout=STACK_UP_TIMEOUT_SECONDS)
    return docker.DockerClient(base_url="unix:///var/run/docker.sock", timeout=120)


@pytest.fixture(scope="session")
def published_images(docker_client: docker.DockerClient) -> str:
    """Every variant built for both platforms on the stand-in bases and pushed to the local
    registry, as `mini-init-tools images --registry localhost:5000 --push --standin-bases` does.
    Returns the registry."""
    _run_tool(
        "images", "--registry", REGISTRY, "--push", "--standin-bases", timeout=IMAGES_TIMEOUT_SECONDS
    )
    return REGISTRY
