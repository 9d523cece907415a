"""mini-init as the engine's docker-init (issues 10 and 12): a second daemon whose init-path is the
built mini-init reports its version in `docker info` and `docker version` (dockerd parses tini's
`tini version <v> - git.<commit>`); a tini-style command line (`-s -e 143 -g`) behaves as tini's
documentation says; and as docker-init the grace period defaults to off, so an app that needs
longer than 10 s to flush finishes under `docker stop -t 20`."""

from collections.abc import Iterator
from pathlib import Path

import docker
import pytest
from data_volume import data_directory, data_volume
from docker.models.containers import Container
from lifecycle_scenarios import (
    LIFECYCLE_APPS_VOLUME,
    ORCHESTRATOR_TIMEOUT_SECONDS,
    SLOW_FLUSH_SECONDS,
    PerPlatform,
    StoppedFlush,
    assert_slow_flush_finished,
    lifecycle_app,
    merged,
    on_every_platform,
    stop_flushing_app,
    wait_for_log,
)
from mini_init_tools.platforms import PLATFORMS, arch_of
from mini_init_tools.version import VERSION
from scenario_containers import EXIT_TIMEOUT_SECONDS, remove_quietly
from scenario_figures import FigureRecorder
from second_daemon import (
    DOCKER_INIT,
    INIT_COMMIT,
    INIT_PATH_BINARY,
    PLAIN_IMAGE,
    SCENARIO_APPS_VOLUME,
    SecondDaemon,
    running_second_daemon,
)

pytestmark = [pytest.mark.docker, pytest.mark.slow]



@pytest.fixture(scope="module")
def second_daemon(
    published_images: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SecondDaemon]:
    directory = tmp_path_factory.mktemp("docker-init-daemon")
    # dockerd runs init-path itself for its version, by that path: under the name docker-init, as
    # Docker's own init is installed (a path ending in mini-init gives `docker info` "N/A").
    init_path = directory / "docker-init"
    init_path.symlink_to(INIT_PATH_BINARY)
    with running_second_daemon(directory / "daemon", init_path, PLAIN_IMAGE) as daemon:
        yield daemon


@pytest.fixture(scope="module")
def second_client(second_daemon: SecondDaemon) -> Iterator[docker.DockerClient]:
    client = second_daemon.client()
    yield client
    for container in client.containers.list(all=True):
        remove_quietly(container)
    client.close()


def _run_with_init(
    client: docker.DockerClient, platform: str, command: list[str], **options: object
) -> Container:
    """`docker run --init PLAIN_IMAGE COMMAND` on the second daemon, detached."""
    return client.containers.run(
        PLAIN_IMAGE, command, platform=platform, init=True, detach=True, **options
    )


def test_docker_info_and_version_show_the_init_version(second_client: docker.DockerClient) -> None:
    assert second_client.info()["InitCommit"]["ID"] == INIT_COMMIT
    components = {part["Name"]: part for part in second_client.version()["Components"]}
    assert components["docker-init"]["Version"] == VERSION
    assert components["docker-init"]["Details"]["GitCommit"] == INIT_COMMIT


@pytest.mark.parametrize("platform", PLATFORMS)
def test_tini_command_line_remaps_143_and_signals_the_group(
    second_client: docker.DockerClient, platform: str
) -> None:
    """`docker run --init IMAGE /sbin/docker-init -s -e 143 -g -- APP`: the command line of tini's
    README. `docker stop`'s TERM reaches the app's grandchild (-g: the whole group), the app dies of
    it (143), which -e 143 makes 0; -s makes the inner init a subreaper, so it warns about nothing."""
    container = _run_with_init(
        second_client,
        platform,
        [DOCKER_INIT, "-s", "-e", "143", "-g", "--", "sh", "/apps/grandchild_term.sh"],
        volumes=SCENARIO_APPS_VOLUME,
    )
    wait_for_log(container, "grandchild: ready")
    container.stop(timeout=10)
    exit_code = int(container.wait(timeout=EXIT_TIMEOUT_SECONDS)["StatusCode"])
    output = container.logs().decode(errors="replace")
    assert "grandchild: got TERM" in output
    assert "warning" not in output, output
    assert exit_code == 0, output


def _stop_a_slow_flush(
    client: docker.DockerClient, directory: Path, platform: str
) -> StoppedFlush:
    (directory / arch_of(platform)).mkdir()
    data = data_directory(directory / arch_of(platform))
    container = _run_with_init(
        client,
        platform,
        lifecycle_app("flush_after_term.sh", "app"),
        **merged(
            {"volumes": data_volume(data), "environment": {"FLUSH_SECONDS": SLOW_FLUSH_SECONDS}},
            {"volumes": LIFECYCLE_APPS_VOLUME},
        ),
    )
    return stop_flushing_app(container, data, ORCHESTRATOR_TIMEOUT_SECONDS)


@pytest.fixture(scope="module")
def slow_flushes(
    second_client: docker.DockerClient, tmp_path_factory: pytest.TempPathFactory
) -> PerPlatform[StoppedFlush]:
    directory = tmp_path_factory.mktemp("slow-flush-docker-init")
    return on_every_platform(lambda platform: _stop_a_slow_flush(second_client, directory, platform))


@pytest.mark.parametrize("platform", PLATFORMS)
def test_as_docker_init_a_flush_longer_than_10_seconds_finishes_under_docker_stop_t_20(
    slow_flushes: PerPlatform[StoppedFlush], platform: str, figures: FigureRecorder
) -> None:
    run = slow_flushes[platform]
    figures.record("docker stop -t 20, 11 s flush (--init)", run.stop_seconds, "s")
    assert_slow_flush_finished(run)
