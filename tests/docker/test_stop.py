"""`docker stop` through the init: a well-behaved app ends with its own status in about a second, and
an app that ignores SIGTERM is killed when EP_GRACE_SECONDS runs out, on every variant and platform."""

import pytest
from core_scenarios import stop_term_ignoring_app, stop_well_behaved_app
from scenario_containers import ImageTarget, ScenarioContainers, image_targets
from scenario_figures import FigureRecorder

pytestmark = pytest.mark.docker


@pytest.mark.parametrize("target", image_targets(), ids=str)
def test_docker_stop_returns_the_app_status_promptly(
    containers: ScenarioContainers, target: ImageTarget, figures: FigureRecorder
) -> None:
    stop_well_behaved_app(containers, target, figures)


@pytest.mark.parametrize("target", image_targets(), ids=str)
def test_docker_stop_kills_a_term_ignoring_app_after_the_grace_period(
    containers: ScenarioContainers, target: ImageTarget, figures: FigureRecorder
) -> None:
    stop_term_ignoring_app(containers, target, figures)
