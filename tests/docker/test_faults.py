"""Faults the engine imposes: under a --pids-limit that makes forks fail, the init reports its own
failed fork (125) or passes on the app's error, and never hangs; an app the OOM killer ends under a
--memory limit gives 137, and is restarted when EP_RESTART_ENABLED=1. On every platform; one variant:
the base image changes neither the init's fork (tests/init/test_faults.py) nor what it makes of a
SIGKILL (tests/init/test_exit_status.py, test_restart.py)."""

import re
from pathlib import Path

import pytest
from core_scenarios import SIGKILL_STATUS
from data_volume import data_directory, data_volume, run_count
from scenario_containers import (
    ONE_VARIANT,
    VERBOSE_INIT_ENTRYPOINT,
    ImageTarget,
    ScenarioContainers,
    app_command,
    image_targets,
)

pytestmark = pytest.mark.docker

EXIT_INTERNAL = 125
BUSYBOX_SH_ERROR = 2
# Tasks the init itself holds: one natively; under QEMU user mode each emulated process also has
# QEMU's RCU thread, and the pids cgroup counts threads.
NATIVE_INIT_TASKS, EMULATED_INIT_TASKS = 1, 2
# Room for the init and the app, and a few of the app's 100 background sleeps, on both platforms.
APP_PIDS_LIMIT = 8
# The app's dd asks for 256 MiB, far over the limit on both platforms. The limit leaves room for the
# init and sh, and on arm64 for QEMU itself, which is charged to the container: an idle arm64
# container (init + one process) uses about 11 MiB against under 1 MiB on amd64. The OOM killer
# then picks the largest process, the dd.
MEMORY_LIMIT = "64m"


@pytest.mark.parametrize("target", image_targets(ONE_VARIANT), ids=str)
def test_init_that_cannot_fork_exits_125_with_a_message(
    containers: ScenarioContainers, target: ImageTarget
) -> None:
    finished = containers.run_to_exit(
        target, ["sh", "-c", "exit 0"], pids_limit=EMULATED_INIT_TASKS if target.emulated else NATIVE_INIT_TASKS
    )
    assert finished.exit_code == EXIT_INTERNAL, finished.text
    assert "mini-init: cannot fork: Resource temporarily unavailable" in finished.text


@pytest.mark.parametrize("target", image_targets(ONE_VARIANT), ids=str)
def test_app_whose_forks_fail_passes_its_error_on(
    containers: ScenarioContainers, target: ImageTarget
) -> None:
    finished = containers.run_to_exit(
        target,
        app_command("fork_until_failure.sh"),
        entrypoint=VERBOSE_INIT_ENTRYPOINT,
        pids_limit=APP_PIDS_LIMIT,
    )
    assert "can't fork" in finished.text
    assert finished.exit_code == BUSYBOX_SH_ERROR, finished.text


@pytest.mark.parametrize("target", image_targets(ONE_VARIANT), ids=str)
def test_oom_killed_app_exits_137(
    containers: ScenarioContainers, target: ImageTarget, tmp_path: Path
) -> None:
    data = data_directory(tmp_path)
    app = containers.start(
        target,
        app_command("exhaust_memory.sh"),
        entrypoint=VERBOSE_INIT_ENTRYPOINT,
        volumes=data_volume(data),
        mem_limit=MEMORY_LIMIT,
    )
    exit_code = app.wait_for_exit()
    output = app.output()
    assert app.state()["OOMKilled"], output
    assert re.search(r"event=reap main=1 pid=\d+ signal=9\n", output), output
    assert exit_code == SIGKILL_STATUS, output
    assert run_count(data) == 1


@pytest.mark.parametrize("target", image_targets(ONE_VARIANT), ids=str)
def test_oom_killed_app_is_restarted(
    containers: ScenarioContainers, target: ImageTarget, tmp_path: Path
) -> None:
    data = data_directory(tmp_path)
    finished = containers.run_to_exit(
        target,
        app_command("exhaust_memory.sh"),
        entrypoint=VERBOSE_INIT_ENTRYPOINT,
        volumes=data_volume(data),
        mem_limit=MEMORY_LIMIT,
        environment={
            "EP_RESTART_ENABLED": "1",
            "EP_MAX_RESTARTS": "2",
            "EP_RESTART_BACKOFF_SECONDS": "0",
        },
    )
    assert run_count(data) == 3, finished.text
    assert finished.text.count("event=restart") == 2, finished.text
    assert finished.exit_code == SIGKILL_STATUS, finished.text
