"""The container's exit status is the app's: its own code, 128 + N when it dies by signal N, and
EP_EXIT_CODE_BASE + N (capped at 255) when the base is set, on every platform. One variant: the
mapping is the init's (tests/init/test_exit_status.py, every architecture), which no base image
changes; test_hardened checks an exit code and a signal on every variant."""

import pytest
from core_scenarios import die_by_signal, exit_with_own_code
from scenario_containers import ONE_VARIANT, ImageTarget, ScenarioContainers, image_targets

pytestmark = pytest.mark.docker

SIGNAL_NUMBERS = {"TERM": 15, "KILL": 9, "SEGV": 11}


@pytest.mark.parametrize("target", image_targets(ONE_VARIANT), ids=str)
@pytest.mark.parametrize("code", [0, 3, 255])
def test_app_exit_code_is_the_container_exit_code(
    containers: ScenarioContainers, target: ImageTarget, code: int
) -> None:
    exit_with_own_code(containers, target, code)


@pytest.mark.parametrize("target", image_targets(ONE_VARIANT), ids=str)
@pytest.mark.parametrize("signal", sorted(SIGNAL_NUMBERS))
def test_app_killed_by_a_signal_exits_128_plus_the_signal(
    containers: ScenarioContainers, target: ImageTarget, signal: str
) -> None:
    die_by_signal(containers, target, signal, 128 + SIGNAL_NUMBERS[signal])


@pytest.mark.parametrize("target", image_targets(ONE_VARIANT), ids=str)
@pytest.mark.parametrize(("base", "expected"), [(0, 15), (100, 115), (250, 255)])
def test_exit_code_base_is_honoured_and_capped(
    containers: ScenarioContainers, target: ImageTarget, base: int, expected: int
) -> None:
    environment = {"EP_EXIT_CODE_BASE": str(base)}
    die_by_signal(containers, target, "TERM", expected, environment=environment)
