"""Drop-in for tini in Docker (issue 10): `docker kill -s` PWR, URG, XCPU, VTALRM and a real-time
signal reach the app, as under tini (the original init forwarded a fixed set); and `docker run
--init` on a mini-init image, tini as PID 1 running mini-init, stacks two inits without a warning."""

import time
from pathlib import Path

import pytest
from container_checks import emulated
from data_volume import data_directory, data_volume
from lifecycle_scenarios import LIFECYCLE_APPS_VOLUME, lifecycle_app, merged
from mini_init_tools.platforms import PLATFORMS
from scenario_containers import AppContainer, ImageTarget, ScenarioContainers

pytestmark = pytest.mark.docker

# Signals whose default action would end the app or that the original init did not forward.
SIGNALS = ("PWR", "URG", "XCPU", "VTALRM")
REAL_TIME_SIGNAL = "34"  # SIGRTMIN on glibc and musl
QEMU_REAL_TIME = "QEMU user mode remaps real-time signals (docs/design.md, Under QEMU)"
DELIVERY_TIMEOUT_SECONDS = 10.0


def _wait_for_record(data: Path, signal: str, app: AppContainer) -> str:
    """What the recorder wrote for `signal`, once it wrote anything."""
    path = data / f"got-{signal}"
    deadline = time.monotonic() + DELIVERY_TIMEOUT_SECONDS
    while not path.exists():
        if time.monotonic() > deadline:
            raise AssertionError(f"SIG{signal} never reached the app: {app.output()}")
        time.sleep(0.05)
    return path.read_text()


def _start_recorder(
    containers: ScenarioContainers, platform: str, data: Path, signals: tuple[str, ...]
) -> AppContainer:
    app = containers.start(
        ImageTarget("alpine", platform),
        lifecycle_app("record_signals.sh", *signals),
        **merged({"volumes": data_volume(data)}, {"volumes": LIFECYCLE_APPS_VOLUME}),
    )
    app.wait_for_output("app: ready")
    return app


def _each_signal_reaches_the_app_once(
    containers: ScenarioContainers, platform: str, tmp_path: Path, signals: tuple[str, ...]
) -> None:
    data = data_directory(tmp_path)
    app = _start_recorder(containers, platform, data, signals)
    for signal in signals:
        app.send_signal(signal)
        assert _wait_for_record(data, signal, app) == f"{signal}\n"
    assert app.state()["Running"], "a forwarded signal ended the app or the init"
    app.container.stop(timeout=10)
    assert app.wait_for_exit() == 0, app.output()


@pytest.mark.parametrize("platform", PLATFORMS)
def test_docker_kill_pwr_urg_xcpu_vtalrm_reach_the_app(
    containers: ScenarioContainers, platform: str, tmp_path: Path
) -> None:
    _each_signal_reaches_the_app_once(containers, platform, tmp_path, SIGNALS)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_docker_kill_a_real_time_signal_reaches_the_app(
    containers: ScenarioContainers, platform: str, tmp_path: Path
) -> None:
    if emulated(platform):
        pytest.skip(QEMU_REAL_TIME)
    _each_signal_reaches_the_app_once(containers, platform, tmp_path, (REAL_TIME_SIGNAL,))


@pytest.mark.parametrize("platform", PLATFORMS)
def test_docker_run_init_on_a_mini_init_image_stacks_two_inits_without_a_warning(
    containers: ScenarioContainers, platform: str
) -> None:
    """The engine's docker-init (tini) is PID 1 and runs the image's entrypoint, mini-init, whose
    parent is then PID 1: orphans reach a reaper, so mini-init says nothing."""
    finished = containers.run_to_exit(
        ImageTarget("alpine", platform),
        ["sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline; echo; exit 3"],
        init=True,
    )
    assert "warning" not in finished.text, finished.text
    assert finished.text.startswith("/sbin/docker-init -- /sbin/mini-init -- sh -c "), finished.text
    assert finished.exit_code == 3, finished.text
