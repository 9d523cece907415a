"""`COPY --from=localhost:5000/mini-init:scratch /sbin/mini-init ...` into another image: each
platform gets its own architecture's binary, and it runs as PID 1 there."""

import hashlib
from pathlib import Path

import docker
import pytest
from container_checks import INIT_ENTRYPOINT, build_image, init_argv, run_to_exit
from mini_init_tools.paths import binary_path
from mini_init_tools.platforms import PLATFORMS, arch_of

pytestmark = pytest.mark.docker

CONTEXT = Path(__file__).parent / "fixtures" / "copy-init"


@pytest.fixture(scope="module")
def image_with_copied_init(published_images: str) -> str:
    return build_image(CONTEXT, "mini-init-test/copy-init:latest")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_copied_binary_is_the_one_built_for_the_platform(
    docker_client: docker.DockerClient, image_with_copied_init: str, platform: str
) -> None:
    command = ["sha256sum", "/sbin/mini-init"]
    finished = run_to_exit(docker_client, image_with_copied_init, platform, command)
    assert finished.exit_code == 0, finished.text
    arch = arch_of(platform)
    assert finished.text.split()[0] == hashlib.sha256(binary_path(arch).read_bytes()).hexdigest()


@pytest.mark.parametrize("platform", PLATFORMS)
def test_copied_init_is_pid_1(
    docker_client: docker.DockerClient, image_with_copied_init: str, platform: str
) -> None:
    finished = run_to_exit(docker_client, image_with_copied_init, platform, ["cat", "/proc/1/cmdline"])
    assert finished.exit_code == 0, finished.text
    assert init_argv(finished.output) == [*INIT_ENTRYPOINT, "cat", "/proc/1/cmdline"]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_default_command_exit_status_comes_back(
    docker_client: docker.DockerClient, image_with_copied_init: str, platform: str
) -> None:
    finished = run_to_exit(docker_client, image_with_copied_init, platform)
    assert finished.exit_code == 5, finished.text
