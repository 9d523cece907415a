"""Restart on crash inside a container (EP_RESTART_ENABLED=1): the app's runs are counted in a volume
file; EP_MAX_RESTARTS bounds them, a normal exit ends the restarts, the backoff is kept, and
`docker stop` during a backoff ends the container at once, on every platform. One variant: restarts
are the init's (tests/init/test_restart.py, every architecture)."""

from itertools import pairwise
from pathlib import Path

import pytest
from core_scenarios import PROMPT_STOP_LIMIT_SECONDS
from data_volume import data_directory, data_volume, run_count, run_starts
from scenario_containers import (
    ONE_VARIANT,
    VERBOSE_INIT_ENTRYPOINT,
    ImageTarget,
    ScenarioContainers,
    app_command,
    image_targets,
)
from scenario_figures import FigureRecorder

pytestmark = pytest.mark.docker

SIGSEGV_STATUS = 128 + 11
BACKOFF_SECONDS = 1
# Backoffs are timed with a 0.01 s clock (/proc/uptime) in the app; allow for its rounding.
CLOCK_RESOLUTION_SECONDS = 0.02


def _restart_environment(**settings: object) -> dict[str, str]:
    return {"EP_RESTART_ENABLED": "1", **{name: str(value) for name, value in settings.items()}}


@pytest.mark.parametrize("target", image_targets(ONE_VARIANT), ids=str)
def test_crashing_app_runs_max_restarts_plus_one_times(
    containers: ScenarioContainers, target: ImageTarget, tmp_path: Path
) -> None:
    data = data_directory(tmp_path)
    finished = containers.run_to_exit(
        target,
        app_command("crash_counter.sh"),
        entrypoint=VERBOSE_INIT_ENTRYPOINT,
        volumes=data_volume(data),
        environment=_restart_environment(EP_MAX_RESTARTS=2, EP_RESTART_BACKOFF_SECONDS=0),
    )
    assert run_count(data) == 3, finished.text
    assert finished.exit_code == SIGSEGV_STATUS, finished.text


@pytest.mark.parametrize("target", image_targets(ONE_VARIANT), ids=str)
def test_normal_exit_after_crashes_ends_the_restarts_after_each_backoff(
    containers: ScenarioContainers, target: ImageTarget, figures: FigureRecorder, tmp_path: Path
) -> None:
    data = data_directory(tmp_path)
    finished = containers.run_to_exit(
        target,
        app_command("crash_counter.sh"),
        entrypoint=VERBOSE_INIT_ENTRYPOINT,
        volumes=data_volume(data),
        environment={
            **_restart_environment(EP_RESTART_BACKOFF_SECONDS=BACKOFF_SECONDS),
            "CRASH_RUNS": "2",
            "EXIT_CODE": "3",
        },
    )
    starts = run_starts(data)
    gaps = [later - earlier for earlier, later in pairwise(starts)]
    for gap in gaps:
        figures.record("seconds between runs", gap, "s")
    assert len(starts) == 3, finished.text
    assert finished.exit_code == 3, finished.text
    assert all(gap >= BACKOFF_SECONDS - CLOCK_RESOLUTION_SECONDS for gap in gaps), finished.text


@pytest.mark.parametrize("target", image_targets(ONE_VARIANT), ids=str)
def test_docker_stop_during_the_backoff_ends_at_once_with_the_crash_status(
    containers: ScenarioContainers, target: ImageTarget, figures: FigureRecorder, tmp_path: Path
) -> None:
    data = data_directory(tmp_path)
    app = containers.start(
        target,
        app_command("crash_counter.sh"),
        entrypoint=VERBOSE_INIT_ENTRYPOINT,
        volumes=data_volume(data),
        environment=_restart_environment(EP_RESTART_BACKOFF_SECONDS=60),
    )
    app.wait_for_output("event=restart")
    seconds = app.timed_stop()
    exit_code = app.wait_for_exit()
    figures.record("docker stop during backoff", seconds, "s")
    assert run_count(data) == 1, app.output()
    assert exit_code == SIGSEGV_STATUS, app.output()
    assert seconds < PROMPT_STOP_LIMIT_SECONDS, app.output()
