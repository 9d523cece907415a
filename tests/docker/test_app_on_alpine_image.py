"""An app image built `FROM localhost:5000/mini-init:alpine`: on every platform the init is PID 1,
the app's exit status comes back unchanged, and `docker stop` ends it through the init (128 + 15,
the status of an app the TERM killed)."""

import time
from pathlib import Path

import docker
import pytest
from container_checks import INIT_ENTRYPOINT, UNAME_MACHINE, build_image, init_argv, run_to_exit
from mini_init_tools.platforms import PLATFORMS

pytestmark = pytest.mark.docker

CONTEXT = Path(__file__).parent / "fixtures" / "app-on-alpine"
STOP_TIMEOUT_SECONDS = 10
APP_EXIT_CODE = 42


@pytest.fixture(scope="module")
def app_image(published_images: str) -> str:
    return build_image(CONTEXT, "mini-init-test/app-on-alpine:latest")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_init_is_pid_1_and_runs_the_app_command(
    docker_client: docker.DockerClient, app_image: str, platform: str
) -> None:
    finished = run_to_exit(docker_client, app_image, platform, ["cat", "/proc/1/cmdline"])
    assert finished.exit_code == 0, finished.text
    assert init_argv(finished.output) == [*INIT_ENTRYPOINT, "cat", "/proc/1/cmdline"]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_default_command_is_the_app_on_the_requested_architecture(
    docker_client: docker.DockerClient, app_image: str, platform: str
) -> None:
    finished = run_to_exit(docker_client, app_image, platform)
    assert finished.exit_code == 0, finished.text
    assert f"app on {UNAME_MACHINE[platform]}" in finished.text


@pytest.mark.parametrize("platform", PLATFORMS)
def test_app_exit_status_is_the_container_exit_status(
    docker_client: docker.DockerClient, app_image: str, platform: str
) -> None:
    """One code: the range of codes is test_exit_codes' (and tests/init's); this is the app image."""
    environment = {"APP_EXIT_CODE": str(APP_EXIT_CODE)}
    finished = run_to_exit(docker_client, app_image, platform, environment=environment)
    assert finished.exit_code == APP_EXIT_CODE, finished.text


@pytest.mark.parametrize("platform", PLATFORMS)
def test_docker_stop_reaches_the_app_through_the_init(
    docker_client: docker.DockerClient, app_image: str, platform: str
) -> None:
    container = docker_client.containers.run(
        app_image, platform=platform, environment={"APP_SLEEP": "300"}, detach=True
    )
    try:
        deadline = time.monotonic() + 60
        while b"app on" not in container.logs() and time.monotonic() < deadline:
            time.sleep(0.2)
        started = time.monotonic()
        container.stop(timeout=STOP_TIMEOUT_SECONDS)
        stopped_after = time.monotonic() - started
        status = container.wait(timeout=30)
    finally:
        container.remove(force=True)
    assert status["StatusCode"] == 128 + 15
    assert stopped_after < STOP_TIMEOUT_SECONDS / 2, "SIGTERM did not reach the app: docker SIGKILLed"
