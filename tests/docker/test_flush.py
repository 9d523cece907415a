"""Nothing lost on `docker stop`: a worker in the app's group and a daemon that left it with setsid
both get SIGTERM and the time to flush their data to a bind-mounted volume before the container
ends, on every platform. One variant: the drain is the init's (tests/init/test_shutdown.py);
test_exec_drain drains as root and as 65532."""

from pathlib import Path

import pytest
from core_scenarios import PROMPT_STOP_LIMIT_SECONDS
from data_volume import data_directory, data_volume
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

FLUSH_SECONDS = 1


def _flushed(data: Path, role: str) -> str:
    """What a role flushed to the volume ('' when it wrote nothing)."""
    path = data / role
    return path.read_text() if path.exists() else ""


def _started(data: Path, role: str) -> dict[str, int]:
    """pid and session a role recorded when it started (`pid=7 session=7`); {} if it did not."""
    path = data / f"{role}.started"
    fields = dict(item.split("=") for item in path.read_text().split()) if path.exists() else {}
    return {name: int(value) for name, value in fields.items()}


@pytest.mark.parametrize("target", image_targets(ONE_VARIANT), ids=str)
def test_worker_and_setsid_daemon_flush_on_docker_stop(
    containers: ScenarioContainers, target: ImageTarget, figures: FigureRecorder, tmp_path: Path
) -> None:
    data = data_directory(tmp_path)
    app = containers.start(
        target,
        app_command("flush_on_term.sh"),
        entrypoint=VERBOSE_INIT_ENTRYPOINT,
        volumes=data_volume(data),
        environment={"FLUSH_SECONDS": str(FLUSH_SECONDS)},
    )
    for role in ("app", "worker", "daemon"):
        app.wait_for_output(f"{role}: ready")
    seconds = app.timed_stop()
    exit_code = app.wait_for_exit()
    figures.record("docker stop with flushing leftovers", seconds, "s")
    output = app.output()

    app_process, worker, daemon = (_started(data, role) for role in ("app", "worker", "daemon"))
    assert app_process and worker and daemon, output
    assert worker["session"] == app_process["session"], "the worker runs in the app's session"
    assert daemon["session"] == daemon["pid"] != app_process["session"], "the daemon left it"
    assert _flushed(data, "worker") == "worker flushed\n", output
    assert _flushed(data, "daemon") == "daemon flushed\n", output
    assert exit_code == 0, output
    assert FLUSH_SECONDS <= seconds < FLUSH_SECONDS + PROMPT_STOP_LIMIT_SECONDS, output
