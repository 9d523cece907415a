"""`docker exec` processes are drained (issue 9): a job started with `docker exec` that flushes its
data on SIGTERM gets its TERM and the time to flush, both when `docker stop` ends the app and when
the app exits on its own; the container then ends with the app's status. As root (alpine) and as
65532 (distroless-nonroot, whose init may signal only its own user's processes), on every platform,
all at once."""

import time
from dataclasses import dataclass
from pathlib import Path

import docker
import pytest
from data_volume import CONTAINER_DATA_DIR, data_directory, data_volume
from lifecycle_scenarios import (
    LIFECYCLE_APPS_VOLUME,
    Outcomes,
    assert_ended_at_deadline,
    at_once,
    event_time,
    lifecycle_app,
    merged,
    module_containers,
)
from scenario_containers import (
    READY_TIMEOUT_SECONDS,
    VERBOSE_INIT_ENTRYPOINT,
    ImageTarget,
    ScenarioContainers,
    app_command,
    image_targets,
)
from scenario_figures import FigureRecorder

pytestmark = pytest.mark.docker

TARGETS = image_targets(("alpine", "distroless-nonroot"))
FLUSH_SECONDS = 1
VISITOR = "visitor"
APP_EXIT_CODE = 3
# The app exits on its own once the visitor's TERM handler is set.
APP_EXITING_ON_ITS_OWN = [
    "sh",
    "-c",
    f"while [ ! -e {CONTAINER_DATA_DIR}/{VISITOR}.ready ]; do sleep 0.05; done; exit {APP_EXIT_CODE}",
]


@dataclass(frozen=True)
class DrainedRun:
    """How a container with a `docker exec` visitor ended."""

    exit_code: int
    visitor_flushed: str  # what the visitor wrote when it flushed ('' if nothing)
    drain_seconds: float  # from the app's reap to the init's exit, by the init's own clock
    output: str


def _wait_for_file(path: Path, what: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while not path.exists():
        assert time.monotonic() < deadline, f"{what}: {path.name} not written"
        time.sleep(0.05)


def _run_with_visitor(
    containers: ScenarioContainers, directory: Path, target: ImageTarget, stop: bool
) -> DrainedRun:
    """The app (ended by `docker stop`, or exiting on its own) and a `docker exec` visitor that
    needs FLUSH_SECONDS after its TERM."""
    (directory / str(target)).mkdir()
    data = data_directory(directory / str(target))
    app = containers.start(
        target,
        app_command("exit_on_term.sh") if stop else APP_EXITING_ON_ITS_OWN,
        **merged(
            {"entrypoint": VERBOSE_INIT_ENTRYPOINT, "volumes": data_volume(data)},
            {"volumes": LIFECYCLE_APPS_VOLUME},
        ),
    )
    app.container.exec_run(
        lifecycle_app("flush_after_term.sh", VISITOR),
        detach=True,
        environment={"FLUSH_SECONDS": str(FLUSH_SECONDS)},
    )
    if stop:
        app.wait_for_output("app: ready")
        _wait_for_file(data / f"{VISITOR}.ready", "the visitor did not start")
        app.container.stop(timeout=10)
    exit_code = app.wait_for_exit()
    output = app.output()
    drain_seconds = event_time(output, "event=exit ") - event_time(output, "event=reap main=1 ")
    flushed = data / f"{VISITOR}.flushed"
    return DrainedRun(
        exit_code, flushed.read_text() if flushed.exists() else "", drain_seconds, output
    )


STOP, OWN_EXIT = "docker stop", "own exit"
Case = tuple[str, ImageTarget]


@pytest.fixture(scope="module")
def drained_runs(
    docker_client: docker.DockerClient,
    scenario_images: None,
    tmp_path_factory: pytest.TempPathFactory,
) -> Outcomes[Case, DrainedRun]:
    """Both cases on every target, all at once."""
    directories = {case: tmp_path_factory.mktemp(case.replace(" ", "-")) for case in (STOP, OWN_EXIT)}
    cases = [(name, target) for name in (STOP, OWN_EXIT) for target in TARGETS]
    with module_containers(docker_client) as containers:
        return at_once(
            lambda case: _run_with_visitor(containers, directories[case[0]], case[1], case[0] == STOP),
            cases,
        )


def _assert_visitor_flushed(run: DrainedRun, target: ImageTarget, expected_status: int) -> None:
    assert run.visitor_flushed == f"{VISITOR} flushed\n", run.output
    assert run.exit_code == expected_status, run.output
    assert_ended_at_deadline(run.drain_seconds, FLUSH_SECONDS, target.platform, "the drain")


@pytest.mark.parametrize("target", TARGETS, ids=str)
def test_docker_exec_job_flushes_on_docker_stop(
    drained_runs: Outcomes[Case, DrainedRun], target: ImageTarget, figures: FigureRecorder
) -> None:
    run = drained_runs[STOP, target]
    figures.record("drain after docker stop", run.drain_seconds, "s")
    _assert_visitor_flushed(run, target, expected_status=0)


@pytest.mark.parametrize("target", TARGETS, ids=str)
def test_docker_exec_job_flushes_when_the_app_exits_on_its_own(
    drained_runs: Outcomes[Case, DrainedRun], target: ImageTarget, figures: FigureRecorder
) -> None:
    run = drained_runs[OWN_EXIT, target]
    figures.record("drain after the app's own exit", run.drain_seconds, "s")
    _assert_visitor_flushed(run, target, expected_status=APP_EXIT_CODE)
