"""Fixtures for the Docker suites: the stack, checked once; the images built and pushed once; the
scenario images and containers (always removed); the figures the scenarios measure."""

import subprocess
import sys
from collections.abc import Iterator

import docker
import pytest
from local_registry import REGISTRY
from scenario_containers import ScenarioContainers, remove_quietly, scenario_containers_to_remove
from scenario_figures import FigureRecorder, figures_table
from scenario_images import build_scenario_images

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


@pytest.fixture(scope="session")
def scenario_images(published_images: str, docker_client: docker.DockerClient) -> Iterator[None]:
    """The scenario images (each variant plus busybox and the apps) for both platforms, built once.
    Scenario containers left by an interrupted run are removed first, this session's after it."""
    _remove_scenario_containers(docker_client)
    build_scenario_images()
    yield
    _remove_scenario_containers(docker_client)


def _remove_scenario_containers(client: docker.DockerClient) -> None:
    for container in scenario_containers_to_remove(client):
        remove_quietly(container)


@pytest.fixture
def containers(
    docker_client: docker.DockerClient, scenario_images: None
) -> Iterator[ScenarioContainers]:
    """Starts scenario containers; removes every one of them when the test ends, passed or not."""
    started = ScenarioContainers(docker_client)
    yield started
    started.remove_all()


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> FigureRecorder:
    """Records a test's measurements for the JUnit report and the terminal summary."""
    return FigureRecorder(request)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    lines = figures_table(config)
    if lines:
        terminalreporter.section("mini-init Docker scenario figures")
        for line in lines:
            terminalreporter.write_line(line)
