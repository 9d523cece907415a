"""Zombies: an app that leaks orphans (double forks, pipelines, grandchildren's children) leaves none
behind under the init, counted from the host's /proc by the container's PID namespace, on every
platform (one variant: reaping is the init's, tests/init/test_reaping.py; test_hardened counts on
every variant). Without the init the same app leaves zombies, which shows the count sees them."""

import time

import pytest
from core_scenarios import ORPHAN_ROUNDS, leave_no_zombies
from host_proc import zombies_in_namespace
from scenario_containers import (
    ONE_VARIANT,
    ImageTarget,
    ScenarioContainers,
    app_command,
    image_targets,
)
from scenario_figures import FigureRecorder

pytestmark = pytest.mark.docker

ORPHAN_LIFETIME_SECONDS = 0.2


@pytest.mark.parametrize("target", image_targets(ONE_VARIANT), ids=str)
def test_leaked_orphans_leave_no_zombies(
    containers: ScenarioContainers, target: ImageTarget, figures: FigureRecorder
) -> None:
    leave_no_zombies(containers, target, figures)


@pytest.mark.parametrize("target", image_targets(("alpine",)), ids=str)
def test_without_the_init_the_same_app_leaves_zombies(
    containers: ScenarioContainers, target: ImageTarget, figures: FigureRecorder
) -> None:
    app = containers.start(
        target,
        app_command("leak_orphans.sh")[1:],
        entrypoint=["sh"],
        environment={"ORPHAN_ROUNDS": str(ORPHAN_ROUNDS)},
    )
    app.wait_for_output("orphans")
    time.sleep(ORPHAN_LIFETIME_SECONDS * 5)
    zombies = zombies_in_namespace(app.init_pid_namespace())
    figures.record("zombies without the init", len(zombies))
    assert zombies, "sh as PID 1 then exec sleep cannot reap: the count should see zombies"
