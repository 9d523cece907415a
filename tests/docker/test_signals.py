"""`docker kill -s USR1|HUP|WINCH` reaches the app and the child in its process group, through the
init's group fan-out, on every platform. One variant: the fan-out is the init's
(tests/init/test_signals.py, every architecture)."""

import pytest
from scenario_containers import (
    ONE_VARIANT,
    ImageTarget,
    ScenarioContainers,
    app_command,
    image_targets,
)

pytestmark = pytest.mark.docker

FORWARDED_SIGNALS = ("USR1", "HUP", "WINCH")
PROCESSES = ("app", "child")


@pytest.mark.parametrize("target", image_targets(ONE_VARIANT), ids=str)
def test_docker_kill_signals_reach_the_app_and_its_children(
    containers: ScenarioContainers, target: ImageTarget
) -> None:
    app = containers.start(target, app_command("report_signals.sh"))
    for process in PROCESSES:
        app.wait_for_output(f"{process}: ready")
    for signal in FORWARDED_SIGNALS:
        app.send_signal(signal)
        for process in PROCESSES:
            app.wait_for_output(f"{process}: got {signal}", timeout=10)
    output = app.output()
    for signal in FORWARDED_SIGNALS:
        for process in PROCESSES:
            assert output.count(f"{process}: got {signal}") == 1, output
    assert app.state()["Running"], "no forwarded signal may end the app or the init"
