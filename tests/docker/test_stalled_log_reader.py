"""A stalled log reader (issue 9): the init is PID 1 with -v and its stderr a pipe nobody reads (a
host FIFO bind-mounted into the container); thousands of orphans exit meanwhile. Every one is
reaped (no zombie in the host's /proc), `docker stop` still ends the container promptly with the
app's status, and once the reader takes a little, the next line written counts the lines dropped
(` dropped=<n>`). All platforms run at once."""

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import docker
import pytest
from container_checks import emulated
from core_scenarios import PROMPT_STOP_LIMIT_SECONDS
from host_proc import zombies_in_namespace
from lifecycle_scenarios import PerPlatform, measure_until, module_containers, on_every_platform
from mini_init_tools.platforms import PLATFORMS, arch_of
from scenario_containers import ImageTarget, ScenarioContainers, app_command
from scenario_figures import FigureRecorder

pytestmark = [pytest.mark.docker, pytest.mark.slow]

# Orphans the app leaves: QEMU makes each fork of the emulated shell slow, so fewer there; either
# way their -v reap lines (about 60 bytes each) are far more than a pipe's 64 KiB.
ORPHANS = {"native": 5000, "emulated": 2000}
CHURN_TIMEOUT_SECONDS = 120.0
ZOMBIE_SETTLE_SECONDS = 10.0
GRACE_SECONDS = 5
# What the slow reader takes once, after the churn: room for a few dozen lines.
SLOW_READ_BYTES = 4096
LOG_FIFO = "/log/stderr"
# The image's shell makes the bind-mounted FIFO the init's stderr, then becomes the init (PID 1).
ENTRYPOINT = ["sh", "-c", f'exec /sbin/mini-init -v -- "$@" 2>{LOG_FIFO}', "sh"]
# The app's own stderr goes to docker's log, so only the init writes to the stalled pipe.
APP = ["sh", "-c", f"exec {' '.join(app_command('churn.sh'))} 2>&1"]
DROPPED = re.compile(r"^mini-init: t=\S+ (event=.*) dropped=(\d+)$", re.MULTILINE)


@dataclass(frozen=True)
class StalledLogRun:
    """What one platform's container did while its init's log was stalled."""

    orphans: int
    most_zombies: int
    zombies_left: int
    stop_seconds: float
    exit_code: int
    init_log: str  # everything the init managed to write to the FIFO
    app_output: str


def _read_available(fifo: int, limit: int | None = None) -> bytes:
    """What the FIFO holds now (at most `limit` bytes), without waiting."""
    chunks = []
    taken = 0
    while limit is None or taken < limit:
        try:
            chunk = os.read(fifo, 65536 if limit is None else limit - taken)
        except BlockingIOError:
            break
        if not chunk:
            break
        chunks.append(chunk)
        taken += len(chunk)
    return b"".join(chunks)


def _run_with_stalled_log(
    containers: ScenarioContainers, directory: Path, platform: str
) -> StalledLogRun:
    orphans = ORPHANS["emulated" if emulated(platform) else "native"]
    fifo_path = directory / f"init-stderr-{arch_of(platform)}"
    os.mkfifo(fifo_path, 0o666)
    # The reader: open, never read until the churn is over. Opened first, so the container's open
    # for writing does not wait.
    fifo = os.open(fifo_path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        app = containers.start(
            ImageTarget("alpine", platform),
            APP,
            entrypoint=ENTRYPOINT,
            environment={"CHURN_PROCESSES": str(orphans), "EP_GRACE_SECONDS": str(GRACE_SECONDS)},
            volumes={str(fifo_path): {"bind": LOG_FIFO, "mode": "rw"}},
        )
        namespace = app.init_pid_namespace()
        most_zombies = 0
        deadline = time.monotonic() + CHURN_TIMEOUT_SECONDS
        while "app: churned" not in app.output():
            assert time.monotonic() < deadline, f"the churn did not end: {app.output()}"
            most_zombies = max(most_zombies, len(zombies_in_namespace(namespace)))
            time.sleep(0.1)
        zombies_left = len(
            measure_until(
                lambda: zombies_in_namespace(namespace), lambda zombies: not zombies,
                ZOMBIE_SETTLE_SECONDS,
            )
        )
        early = _read_available(fifo, SLOW_READ_BYTES)
        stopping = time.monotonic()
        app.container.stop(timeout=10)
        stop_seconds = time.monotonic() - stopping
        exit_code = app.wait_for_exit()
        late = _read_available(fifo)
        return StalledLogRun(
            orphans, most_zombies, zombies_left, stop_seconds, exit_code,
            (early + late).decode(errors="replace"), app.output(),
        )
    finally:
        os.close(fifo)


@pytest.fixture(scope="module")
def stalled_log_runs(
    docker_client: docker.DockerClient,
    scenario_images: None,
    tmp_path_factory: pytest.TempPathFactory,
) -> PerPlatform[StalledLogRun]:
    directory = tmp_path_factory.mktemp("stalled-log")
    with module_containers(docker_client) as containers:
        return on_every_platform(
            lambda platform: _run_with_stalled_log(containers, directory, platform)
        )


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_orphan_is_reaped_while_nobody_reads_the_init_log(
    stalled_log_runs: PerPlatform[StalledLogRun], platform: str, figures: FigureRecorder
) -> None:
    run = stalled_log_runs[platform]
    assert re.search(r"event=start version=\S+ pid=1\n", run.init_log), "the init is not PID 1"
    figures.record("orphans", run.orphans)
    figures.record("zombies seen (max)", run.most_zombies)
    figures.record("zombies left", run.zombies_left)
    assert run.zombies_left == 0, f"the init stopped reaping; it wrote:\n{run.init_log[-1000:]}"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_docker_stop_ends_it_promptly_with_the_app_status(
    stalled_log_runs: PerPlatform[StalledLogRun], platform: str, figures: FigureRecorder
) -> None:
    run = stalled_log_runs[platform]
    figures.record("docker stop, log stalled", run.stop_seconds, "s")
    assert run.exit_code == 0, run.app_output
    assert run.stop_seconds < PROMPT_STOP_LIMIT_SECONDS, "the TERM was not forwarded at once"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_next_line_written_counts_the_lines_dropped(
    stalled_log_runs: PerPlatform[StalledLogRun], platform: str, figures: FigureRecorder
) -> None:
    """Lines that found the pipe full were dropped, never half-written; the first line written after
    the reader took some says how many (the forwarded TERM of the stop)."""
    run = stalled_log_runs[platform]
    counted = DROPPED.findall(run.init_log)
    assert counted, f"no line says what was dropped:\n{run.init_log[-2000:]}"
    event, dropped = counted[0][0], int(counted[0][1])
    reaps_written = run.init_log.count("event=reap main=0 ")
    figures.record("reap lines written", reaps_written)
    figures.record("lines dropped", dropped)
    assert event == "event=signal action=forward sig=15", run.init_log[-2000:]
    assert reaps_written + dropped >= run.orphans, "lines lost without being counted"
    lines = run.init_log.splitlines()
    assert all(line.startswith("mini-init: ") for line in lines), "a line was cut"
