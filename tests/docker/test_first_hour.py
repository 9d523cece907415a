"""A user's first hour in Docker (issue 12): `docker kill -s HUP` makes a daemon reload and is no
stop request (the app outlives the grace period); EP_GRACE_SECONDS=off leaves the deadline to
`docker stop -t`, a grace period below it still kills on time; `-e EP_VERBOSITY=1` logs the events
without replacing the ENTRYPOINT. Every platform, the slow scenarios all at once."""

import time
from dataclasses import dataclass
from pathlib import Path

import docker
import pytest
from core_scenarios import PROMPT_STOP_LIMIT_SECONDS, SIGKILL_STATUS
from data_volume import data_directory, data_volume
from lifecycle_scenarios import (
    LIFECYCLE_APPS_VOLUME,
    ORCHESTRATOR_TIMEOUT_SECONDS,
    SLOW_FLUSH_SECONDS,
    Outcomes,
    PerPlatform,
    StoppedFlush,
    assert_ended_at_deadline,
    assert_slow_flush_finished,
    at_once,
    lifecycle_app,
    merged,
    module_containers,
    on_every_platform,
    stop_flushing_app,
)
from mini_init_tools.platforms import PLATFORMS, arch_of
from scenario_containers import ImageTarget, ScenarioContainers
from scenario_figures import FigureRecorder

pytestmark = pytest.mark.docker

GRACE_SECONDS = 1
PAST_GRACE_SECONDS = GRACE_SECONDS + 1.5
SHORT_GRACE_SECONDS = 2
VERBOSE_EVENTS = ("event=start ", "event=spawn ", "event=reap main=1 ", "event=exit status=0")


def _target(platform: str) -> ImageTarget:
    return ImageTarget("alpine", platform)


def _data_for(directory: Path, name: str) -> Path:
    (directory / name).mkdir()
    return data_directory(directory / name)


@dataclass(frozen=True)
class HupRun:
    """A daemon sent HUP after its config changed, then stopped past the grace period."""

    loaded: list[str]  # the configs it loaded, in order
    running_past_grace: bool
    exit_code: int
    stop_seconds: float
    output: str


def _reload_on_hup(containers: ScenarioContainers, directory: Path, platform: str) -> HupRun:
    data = _data_for(directory, arch_of(platform))
    (data / "config").write_text("first\n")
    app = containers.start(
        _target(platform),
        lifecycle_app("reload_on_hup.sh"),
        **merged(
            {"volumes": data_volume(data), "environment": {"EP_GRACE_SECONDS": GRACE_SECONDS}},
            {"volumes": LIFECYCLE_APPS_VOLUME},
        ),
    )
    app.wait_for_output("app: loaded first")
    (data / "config").write_text("second\n")
    app.send_signal("HUP")
    app.wait_for_output("app: loaded second")
    time.sleep(PAST_GRACE_SECONDS)
    running = bool(app.state()["Running"])
    stop_seconds = app.timed_stop()
    exit_code = app.wait_for_exit()
    output = app.output()
    loaded = [line.removeprefix("app: loaded ") for line in output.splitlines() if "loaded" in line]
    return HupRun(loaded, running, exit_code, stop_seconds, output)


@pytest.fixture(scope="module")
def hup_runs(
    docker_client: docker.DockerClient,
    scenario_images: None,
    tmp_path_factory: pytest.TempPathFactory,
) -> PerPlatform[HupRun]:
    directory = tmp_path_factory.mktemp("hup")
    with module_containers(docker_client) as containers:
        return on_every_platform(lambda platform: _reload_on_hup(containers, directory, platform))


@pytest.mark.parametrize("platform", PLATFORMS)
def test_docker_kill_hup_reloads_the_app_and_is_no_stop_request(
    hup_runs: PerPlatform[HupRun], platform: str
) -> None:
    run = hup_runs[platform]
    assert run.loaded == ["first", "second"], run.output
    assert run.running_past_grace, f"HUP ended the app (EP_GRACE_SECONDS=1): {run.output}"
    assert run.exit_code == 0, run.output
    assert run.stop_seconds < PROMPT_STOP_LIMIT_SECONDS


# Against the orchestrator's deadline (`docker stop -t 20`), an app that needs 11 s to flush:
# EP_GRACE_SECONDS=off lets it finish; EP_GRACE_SECONDS=2 kills it at 2 s.
GRACE_OFF, GRACE_SHORT = "off", str(SHORT_GRACE_SECONDS)
GraceCase = tuple[str, str]  # (EP_GRACE_SECONDS, platform)


def _stop_slow_flush(
    containers: ScenarioContainers, directory: Path, grace: str, platform: str
) -> StoppedFlush:
    data = _data_for(directory, f"grace-{grace}-{arch_of(platform)}")
    environment = {"EP_GRACE_SECONDS": grace, "FLUSH_SECONDS": SLOW_FLUSH_SECONDS}
    app = containers.start(
        _target(platform),
        lifecycle_app("flush_after_term.sh", "app"),
        **merged(
            {"volumes": data_volume(data), "environment": environment},
            {"volumes": LIFECYCLE_APPS_VOLUME},
        ),
    )
    return stop_flushing_app(app.container, data, ORCHESTRATOR_TIMEOUT_SECONDS)


@pytest.fixture(scope="module")
def grace_runs(
    docker_client: docker.DockerClient,
    scenario_images: None,
    tmp_path_factory: pytest.TempPathFactory,
) -> Outcomes[GraceCase, StoppedFlush]:
    directory = tmp_path_factory.mktemp("grace")
    cases = [(grace, platform) for grace in (GRACE_OFF, GRACE_SHORT) for platform in PLATFORMS]
    with module_containers(docker_client) as containers:
        return at_once(lambda case: _stop_slow_flush(containers, directory, *case), cases)


@pytest.mark.slow
@pytest.mark.parametrize("platform", PLATFORMS)
def test_grace_off_leaves_the_deadline_to_docker_stop(
    grace_runs: Outcomes[GraceCase, StoppedFlush], platform: str, figures: FigureRecorder
) -> None:
    run = grace_runs[GRACE_OFF, platform]
    figures.record("docker stop -t 20, 11 s flush, grace off", run.stop_seconds, "s")
    assert_slow_flush_finished(run)


@pytest.mark.slow
@pytest.mark.parametrize("platform", PLATFORMS)
def test_grace_below_the_docker_stop_deadline_kills_on_time(
    grace_runs: Outcomes[GraceCase, StoppedFlush], platform: str, figures: FigureRecorder
) -> None:
    run = grace_runs[GRACE_SHORT, platform]
    figures.record("docker stop -t 20, grace 2 s", run.stop_seconds, "s")
    assert run.exit_code == SIGKILL_STATUS, run.output
    assert run.flushed == "", "the app was not killed"
    assert_ended_at_deadline(run.stop_seconds, SHORT_GRACE_SECONDS, platform, "docker stop -t 20")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_ep_verbosity_logs_events_without_replacing_the_entrypoint(
    containers: ScenarioContainers, platform: str
) -> None:
    finished = containers.run_to_exit(
        _target(platform), ["sh", "-c", "exit 0"], environment={"EP_VERBOSITY": "1"}
    )
    assert finished.exit_code == 0, finished.text
    lines = finished.text.splitlines()
    for event in VERBOSE_EVENTS:
        assert any(line.startswith("mini-init: t=") and event in line for line in lines), (
            f"no {event.strip()!r} line:\n{finished.text}"
        )
