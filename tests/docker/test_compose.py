"""Compose: the well-behaved app as a service on every variant and platform (plus a bare `sleep` per
platform), brought up by pytest-docker with `up --build --wait`. `docker compose stop` and `down`
are prompt, and each service ends with its app's status: 0, and 143 for the sleeps the forwarded
TERM kills. With EP_GRACE_SECONDS=off, a service's stop_grace_period (20 s) decides: an app that
needs 11 s to flush finishes (issue 12)."""

import subprocess
import time
from pathlib import Path

import docker
import pytest
from container_checks import platforms_of
from core_scenarios import PROMPT_STOP_LIMIT_SECONDS
from docker.models.containers import Container
from lifecycle_scenarios import SLOW_FLUSH_SECONDS, STOP_AFTER_FLUSH_SECONDS
from mini_init_tools.docker_cli import DOCKER
from mini_init_tools.platforms import PLATFORMS
from pytest_docker.plugin import Services
from scenario_figures import FigureRecorder

pytestmark = [pytest.mark.docker, pytest.mark.slow]

COMPOSE_FILE = Path(__file__).parent / "fixtures" / "compose" / "docker-compose.yml"
PROJECT = "mini-init-scenarios"
PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"
SLEEPERS = tuple(f"sleeper-{platform.removeprefix('linux/')}" for platform in PLATFORMS)
APP_SERVICES = tuple(
    f"{variant}-{platform.removeprefix('linux/')}"
    for variant in ("scratch", "distroless", "distroless-nonroot", "alpine")
    for platform in platforms_of(variant)
)
# The app exits 0 on TERM; a bare sleep dies of it: 128 + 15.
EXPECTED_STATUS = {
    **{service: 0 for service in APP_SERVICES}, **{service: 128 + 15 for service in SLEEPERS}
}
GRACE_OFF_PROFILE = "grace-off"
GRACE_OFF_SERVICES = tuple(f"grace-off-{platform.removeprefix('linux/')}" for platform in PLATFORMS)
COMPOSE_TIMEOUT_SECONDS = 120
HEALTHY_TIMEOUT_SECONDS = 60


@pytest.fixture(scope="session")
def docker_compose_command() -> str:
    """Debian's CLI, bounded: pytest-docker runs its commands without a timeout of its own."""
    return f"timeout --kill-after=10 {COMPOSE_TIMEOUT_SECONDS} {DOCKER} compose"


@pytest.fixture(scope="session")
def docker_compose_file() -> str:
    return str(COMPOSE_FILE)


@pytest.fixture(scope="session")
def docker_compose_project_name() -> str:
    return PROJECT


@pytest.fixture(scope="session")
def docker_setup(scenario_images: None) -> list[str]:
    """Leftovers of an interrupted run go first (`up` failing leaves them); the services build FROM
    the scenario images."""
    return [
        "down -v --remove-orphans",
        f"up --build --wait --wait-timeout {HEALTHY_TIMEOUT_SECONDS}",
    ]


@pytest.fixture(scope="session")
def docker_cleanup() -> list[str]:
    return ["down -v --remove-orphans"]


def _compose(*arguments: str) -> float:
    """Run `docker compose` on the project; the seconds it took."""
    started = time.monotonic()
    result = subprocess.run(
        [DOCKER, "compose", "-f", str(COMPOSE_FILE), "-p", PROJECT, *arguments],
        capture_output=True,
        text=True,
        timeout=COMPOSE_TIMEOUT_SECONDS,
        check=False,
    )
    seconds = time.monotonic() - started
    assert result.returncode == 0, f"docker compose {' '.join(arguments)}:\n{result.stderr}"
    return seconds


def _project_containers(client: docker.DockerClient) -> dict[str, Container]:
    found = client.containers.list(all=True, filters={"label": f"{PROJECT_LABEL}={PROJECT}"})
    return {container.labels[SERVICE_LABEL]: container for container in found}


def _all_healthy(client: docker.DockerClient) -> bool:
    containers = _project_containers(client)
    return set(containers) == set(EXPECTED_STATUS) and all(
        container.attrs["State"].get("Health", {}).get("Status") == "healthy"
        for container in containers.values()
    )


@pytest.fixture(scope="session")
def compose_services(docker_services: Services, docker_client: docker.DockerClient) -> None:
    """Every service up and healthy (its TERM handler set)."""
    docker_services.wait_until_responsive(
        check=lambda: _all_healthy(docker_client), timeout=HEALTHY_TIMEOUT_SECONDS, pause=0.2
    )


@pytest.fixture
def running_services(
    compose_services: None, docker_client: docker.DockerClient
) -> dict[str, Container]:
    """The services running and healthy again (`up --wait` starts what an earlier test stopped)."""
    _compose("up", "--wait", "--wait-timeout", str(HEALTHY_TIMEOUT_SECONDS))
    return _project_containers(docker_client)


def test_compose_stop_is_prompt_with_each_app_status(
    running_services: dict[str, Container], figures: FigureRecorder
) -> None:
    seconds = _compose("stop")
    figures.record("docker compose stop (10 services)", seconds, "s")
    statuses = {}
    for service, container in running_services.items():
        container.reload()
        statuses[service] = container.attrs["State"]["ExitCode"]
    assert statuses == EXPECTED_STATUS
    assert seconds < PROMPT_STOP_LIMIT_SECONDS


def test_compose_down_is_prompt_with_each_app_status(
    running_services: dict[str, Container],
    docker_client: docker.DockerClient,
    figures: FigureRecorder,
) -> None:
    since = time.time()
    seconds = _compose("down")
    until = time.time() + 1
    deaths = docker_client.events(
        since=since,
        until=until,
        filters={"event": "die", "label": f"{PROJECT_LABEL}={PROJECT}"},
        decode=True,
    )
    statuses = {
        event["Actor"]["Attributes"][SERVICE_LABEL]: int(event["Actor"]["Attributes"]["exitCode"])
        for event in deaths
    }
    figures.record("docker compose down (10 services)", seconds, "s")
    assert statuses == EXPECTED_STATUS
    assert seconds < PROMPT_STOP_LIMIT_SECONDS


def test_compose_stop_grace_period_decides_when_the_grace_is_off(
    scenario_images: None, docker_client: docker.DockerClient, figures: FigureRecorder
) -> None:
    profile = ("--profile", GRACE_OFF_PROFILE)
    try:
        _compose(*profile, "up", "--wait", "--wait-timeout", str(HEALTHY_TIMEOUT_SECONDS),
                 *GRACE_OFF_SERVICES)
        seconds = _compose(*profile, "stop", *GRACE_OFF_SERVICES)
        containers = _project_containers(docker_client)
        statuses = {
            service: containers[service].attrs["State"]["ExitCode"] for service in GRACE_OFF_SERVICES
        }
    finally:
        _compose(*profile, "rm", "--force", "--stop", *GRACE_OFF_SERVICES)
    figures.record("docker compose stop, 11 s flush, grace off", seconds, "s")
    assert statuses == dict.fromkeys(GRACE_OFF_SERVICES, 0), "killed before the flush ended"
    assert SLOW_FLUSH_SECONDS <= seconds < SLOW_FLUSH_SECONDS + STOP_AFTER_FLUSH_SECONDS
