"""A user's own bake file (fixtures/user-bake) building on the mini-init images for each platform
they have: a RUN step runs in each platform, and the apps run under the init, distroless as nonroot."""

from pathlib import Path

import docker
import pytest
from container_checks import (
    INIT_ENTRYPOINT,
    UNAME_MACHINE,
    init_argv,
    platforms_of,
    run_build_command,
    run_to_exit,
)
from mini_init_tools.platforms import PLATFORMS

pytestmark = pytest.mark.docker

USER_PROJECT = Path(__file__).parent / "fixtures" / "user-bake"
ALPINE_APP = "mini-init-example/app:alpine"
DISTROLESS_APP = "mini-init-example/app:distroless-nonroot"


@pytest.fixture(scope="module")
def user_images(published_images: str) -> None:
    run_build_command(["buildx", "bake", "--load"], cwd=USER_PROJECT)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_run_step_ran_on_the_image_platform(
    docker_client: docker.DockerClient, user_images: None, platform: str
) -> None:
    finished = run_to_exit(docker_client, ALPINE_APP, platform)
    assert (finished.exit_code, finished.text) == (0, f"built on {UNAME_MACHINE[platform]}\n")


@pytest.mark.parametrize(
    ("image", "platform"),
    [(ALPINE_APP, platform) for platform in platforms_of("alpine")]
    + [(DISTROLESS_APP, platform) for platform in platforms_of("distroless-nonroot")],
)
def test_init_is_pid_1_in_the_user_image(
    docker_client: docker.DockerClient, user_images: None, image: str, platform: str
) -> None:
    cat = ["cat"] if image == ALPINE_APP else ["/app/busybox", "cat"]
    finished = run_to_exit(docker_client, image, platform, [*cat, "/proc/1/cmdline"])
    assert finished.exit_code == 0, finished.text
    assert init_argv(finished.output) == [*INIT_ENTRYPOINT, *cat, "/proc/1/cmdline"]


@pytest.mark.parametrize("platform", platforms_of("distroless-nonroot"))
def test_distroless_nonroot_app_runs_as_65532(
    docker_client: docker.DockerClient, user_images: None, platform: str
) -> None:
    finished = run_to_exit(docker_client, DISTROLESS_APP, platform)
    assert (finished.exit_code, finished.text) == (0, "65532\n")
