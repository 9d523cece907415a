"""Hardened containers: `--user 65532 --read-only --cap-drop ALL --security-opt no-new-privileges`
with the default seccomp profile. The core scenarios (docker stop, exit codes, zombies) still pass,
on every variant (distroless-nonroot included) and platform."""

from typing import Any

import pytest
from core_scenarios import (
    die_by_signal,
    exit_with_own_code,
    leave_no_zombies,
    stop_term_ignoring_app,
    stop_well_behaved_app,
)
from mini_init_tools.images import VARIANTS
from scenario_containers import ImageTarget, ScenarioContainers, image_targets
from scenario_figures import FigureRecorder

pytestmark = pytest.mark.docker

HARDENED: dict[str, Any] = {
    "user": "65532",
    "read_only": True,
    "cap_drop": ["ALL"],
    "security_opt": ["no-new-privileges"],
}
TARGETS = image_targets(VARIANTS)


@pytest.mark.parametrize("target", TARGETS, ids=str)
def test_hardened_init_runs_as_65532_without_capabilities(
    containers: ScenarioContainers, target: ImageTarget
) -> None:
    """What the options did to PID 1 (the init), read from its /proc status by the app."""
    finished = containers.run_to_exit(
        target, ["sh", "-c", "grep -E '^(Uid|CapEff|NoNewPrivs|Seccomp):' /proc/1/status"], **HARDENED
    )
    status = dict(line.split(":", 1) for line in finished.text.splitlines())
    assert status["Uid"].split() == ["65532"] * 4, finished.text
    assert int(status["CapEff"], 16) == 0, finished.text
    assert status["NoNewPrivs"].strip() == "1", finished.text
    assert status["Seccomp"].strip() == "2", finished.text  # filter mode: the default profile


@pytest.mark.parametrize("target", TARGETS, ids=str)
def test_hardened_docker_stop_is_prompt(
    containers: ScenarioContainers, target: ImageTarget, figures: FigureRecorder
) -> None:
    stop_well_behaved_app(containers, target, figures, **HARDENED)


@pytest.mark.parametrize("target", TARGETS, ids=str)
def test_hardened_term_ignoring_app_is_killed_after_the_grace_period(
    containers: ScenarioContainers, target: ImageTarget, figures: FigureRecorder
) -> None:
    stop_term_ignoring_app(containers, target, figures, **HARDENED)


@pytest.mark.parametrize("target", TARGETS, ids=str)
def test_hardened_exit_codes_come_back(
    containers: ScenarioContainers, target: ImageTarget
) -> None:
    exit_with_own_code(containers, target, 3, **HARDENED)
    die_by_signal(containers, target, "TERM", 128 + 15, **HARDENED)


@pytest.mark.parametrize("target", TARGETS, ids=str)
def test_hardened_init_leaves_no_zombies(
    containers: ScenarioContainers, target: ImageTarget, figures: FigureRecorder
) -> None:
    leave_no_zombies(containers, target, figures, **HARDENED)
