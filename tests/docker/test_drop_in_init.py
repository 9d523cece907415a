"""mini-init as a drop-in for `docker run --init`: a second Docker daemon whose init-path is the built
mini-init runs a plain busybox image (the alpine stand-in, loaded with `docker save | docker load`)
with `--init`. On every platform (the host's init, the app emulated where foreign) `--version`
answers in the form dockerd parses, the init's group fan-out reaches a grandchild, docker stop is
prompt and EP_GRACE_SECONDS is kept; the main daemon is unharmed."""

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import docker
import pytest
from container_checks import UNAME_MACHINE
from core_scenarios import (
    GRACE_SECONDS,
    GRACE_STOP_RANGE_SECONDS,
    PROMPT_STOP_LIMIT_SECONDS,
    SIGKILL_STATUS,
)
from docker.models.containers import Container
from mini_init_tools.platforms import PLATFORMS
from scenario_containers import (
    DOCKER_STOP_TIMEOUT_SECONDS,
    EXIT_TIMEOUT_SECONDS,
    READY_TIMEOUT_SECONDS,
    remove_quietly,
)
from scenario_figures import FigureRecorder
from second_daemon import (
    BRIDGE,
    DOCKER_INIT,
    DOCKER_INIT_VERSION,
    INIT_PATH_BINARY,
    PLAIN_IMAGE,
    SCENARIO_APPS_VOLUME,
    SecondDaemon,
    running_second_daemon,
)

pytestmark = [pytest.mark.docker, pytest.mark.slow]

SIGTERM_STATUS = 128 + 15
# An app and its child (the init's grandchild) in one process group, each printing
# "<app|child>: got USR1" on SIGUSR1 and running on; SIGTERM ends both.
REPORTING_APP = ["sh", "/apps/report_signals.sh"]
SETTLE_SECONDS = 1.0  # for a signal to reach the grandchild too, if it were forwarded there


@pytest.fixture(scope="module")
def second_daemon(
    published_images: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SecondDaemon]:
    state = tmp_path_factory.mktemp("second-docker")
    with running_second_daemon(state, INIT_PATH_BINARY, PLAIN_IMAGE) as daemon:
        yield daemon


RunWithInit = Callable[..., Container]


@pytest.fixture
def run_with_init(second_daemon: SecondDaemon) -> Iterator[RunWithInit]:
    """`docker run --init` on the second daemon; each container is removed when the test ends."""
    started: list[Container] = []
    client = second_daemon.client()

    def run(platform: str, command: list[str], **options: object) -> Container:
        container = client.containers.run(
            PLAIN_IMAGE, command, platform=platform, init=True, detach=True,
            volumes=SCENARIO_APPS_VOLUME, **options,
        )
        started.append(container)
        return container

    yield run
    for container in started:
        remove_quietly(container)
    client.close()


def _wait_for_output(container: Container, text: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while text.encode() not in container.logs():
        assert time.monotonic() < deadline, f"{text!r} not seen: {container.logs().decode()}"
        time.sleep(0.05)


def _timed_stop(container: Container) -> tuple[float, int]:
    started = time.monotonic()
    container.stop(timeout=DOCKER_STOP_TIMEOUT_SECONDS)
    seconds = time.monotonic() - started
    return seconds, int(container.wait(timeout=EXIT_TIMEOUT_SECONDS)["StatusCode"])


@pytest.mark.parametrize("platform", PLATFORMS)
def test_docker_run_init_runs_mini_init_as_pid_1(run_with_init: RunWithInit, platform: str) -> None:
    container = run_with_init(
        platform, ["sh", "-c", f"tr '\\0' ' ' < /proc/1/cmdline; echo; {DOCKER_INIT} -V; uname -m"]
    )
    assert container.wait(timeout=EXIT_TIMEOUT_SECONDS)["StatusCode"] == 0
    cmdline, version, machine = container.logs().decode().splitlines()
    assert cmdline.startswith(f"{DOCKER_INIT} -- sh -c ")
    assert version == DOCKER_INIT_VERSION
    assert machine == UNAME_MACHINE[platform]


def _wait_for_both_ready(container: Container) -> None:
    for process in ("app", "child"):
        _wait_for_output(container, f"{process}: ready")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_docker_kill_reaches_a_grandchild_through_the_group_and_docker_stop_is_prompt(
    run_with_init: RunWithInit, platform: str, figures: FigureRecorder
) -> None:
    """USR1 ends nobody, so the grandchild's "got USR1" can only come from the init's forward to
    the group (a SIGTERM could also reach it from the drain after the app's exit)."""
    container = run_with_init(platform, REPORTING_APP)
    _wait_for_both_ready(container)
    container.kill(signal="SIGUSR1")
    _wait_for_output(container, "child: got USR1")
    assert container.logs().decode().count("app: got USR1") == 1
    container.reload()
    assert container.status == "running"
    seconds, exit_code = _timed_stop(container)
    figures.record("docker stop (--init)", seconds, "s")
    output = container.logs().decode()
    assert exit_code == SIGTERM_STATUS, output
    assert seconds < PROMPT_STOP_LIMIT_SECONDS


@pytest.mark.parametrize("platform", PLATFORMS)
def test_term_ignoring_app_is_killed_after_ep_grace_seconds(
    run_with_init: RunWithInit, platform: str, figures: FigureRecorder
) -> None:
    container = run_with_init(
        platform, ["sh", "/apps/ignore_term.sh"], environment={"EP_GRACE_SECONDS": str(GRACE_SECONDS)}
    )
    _wait_for_output(container, "app: ready")
    seconds, exit_code = _timed_stop(container)
    figures.record("docker stop (--init), TERM ignored", seconds, "s")
    low, high = GRACE_STOP_RANGE_SECONDS
    assert exit_code == SIGKILL_STATUS
    assert low <= seconds <= high


@pytest.mark.parametrize("platform", PLATFORMS)
def test_on_the_main_daemon_docker_init_tini_does_not_reach_the_grandchild(
    docker_client: docker.DockerClient, published_images: str, platform: str
) -> None:
    """The contrast that makes the fan-out test meaningful: the main daemon's `--init` is tini,
    which signals only its child."""
    container = docker_client.containers.run(
        PLAIN_IMAGE, REPORTING_APP, platform=platform, init=True, detach=True, volumes=SCENARIO_APPS_VOLUME
    )
    try:
        _wait_for_both_ready(container)
        container.kill(signal="SIGUSR1")
        _wait_for_output(container, "app: got USR1")
        time.sleep(SETTLE_SECONDS)
        output = container.logs().decode()
        _, exit_code = _timed_stop(container)
    finally:
        remove_quietly(container)
    assert "child: got USR1" not in output
    assert exit_code == SIGTERM_STATUS, output


def test_main_daemon_works_after_the_second_daemon_is_gone(
    second_daemon: SecondDaemon, docker_client: docker.DockerClient
) -> None:
    second_daemon.stop()
    assert second_daemon.processes_alive() == []
    assert second_daemon.mounts() == []
    assert not Path("/sys/class/net", BRIDGE).exists()
    assert docker_client.info()["ServerVersion"]
    output = docker_client.containers.run(
        PLAIN_IMAGE, ["echo", "main daemon runs containers"], remove=True
    )
    assert output == b"main daemon runs containers\n"
