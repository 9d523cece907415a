"""`docker stop` through the init: a well-behaved app ends with its own status in about a second, and
an app that ignores SIGTERM is killed when EP_GRACE_SECONDS runs out, on every platform. One variant:
forwarding and the grace timer are the init's (tests/init/test_shutdown.py, test_signals.py);
test_hardened runs both scenarios on every variant."""

import pytest
from core_scenarios import stop_term_ignoring_app, stop_well_behaved_app
from scenario_containers import ONE_VARIANT, ImageTarget, ScenarioContainers, image_targets
from scenario_figures import FigureRecorder

pytestmark = pytest.mark.docker


@pytest.mark.parametrize("target", image_targets(ONE_VARIANT), ids=str)
def test_docker_stop_returns_the_app_status_promptly(
    containers: ScenarioContainers, target: ImageTarget, figures: FigureRecorder
) -> None:
    stop_well_behaved_app(containers, target, figures)


@pytest.mark.parametrize("target", image_targets(ONE_VARIANT), ids=str)
def test_docker_stop_kills_a_term_ignoring_app_after_the_grace_period(
    containers: ScenarioContainers, target: ImageTarget, figures: FigureRecorder
) -> None:
    stop_term_ignoring_app(containers, target, figures)
