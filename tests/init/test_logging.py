"""Logging: -v lines form a parseable timeline, and a closed or broken stderr changes nothing."""

import signal
import time

import pytest
from mini_init_tools.version import VERSION

from . import procfs
from .harness import InitLauncher, SignalRecorder, StderrKind, Target, python_helper

IDLE_SECONDS = 1.0
IDLE_CPU_LIMIT = 0.25  # CPU seconds an idle init may use in IDLE_SECONDS; a spinning one uses ~1


def test_verbose_lines_are_key_value_pairs_with_monotonic_time(
    target: Target, mini_init: InitLauncher
) -> None:
    before = time.monotonic()
    run = mini_init.start(["sleep", "30"], options=["-v"])
    run.main_child()
    run.send(signal.SIGWINCH)
    run.wait_for_event(f"event=signal action=forward sig={signal.SIGWINCH}")
    run.send(signal.SIGTERM)
    finished = run.wait()
    after = time.monotonic()

    times = [event.seconds for event in finished.events]
    assert finished.messages == target.start_warnings  # every other line parsed as an event
    assert times == sorted(times)
    assert before <= times[0] and times[-1] <= after


def test_typical_run_logs_the_documented_events_in_order(
    target: Target, mini_init: InitLauncher
) -> None:
    run = mini_init.start(["sleep", "30"], options=["-v"])
    child = procfs.namespace_pid(run.main_child())
    init = procfs.namespace_pid(run.init_pid)

    run.send(signal.SIGTERM)
    finished = run.wait()

    assert finished.event_texts == [
        f"event=start version={VERSION} pid={init}",
        f"event=spawn pid={child} run=1",
        "event=signal action=forward sig=15",
        "event=timer action=arm seconds=10",
        f"event=reap main=1 pid={child} signal=15",
        "event=exit status=143",
    ]
    assert init == (1 if target.as_pid1 else run.init_pid)


@pytest.mark.slow
def test_drain_and_escalation_are_logged_in_order(target: Target, mini_init: InitLauncher) -> None:
    finished = mini_init.run(
        python_helper("leave_worker.py", mini_init.workdir, 3, "stubborn"),
        options=["-v"],
        env={"EP_GRACE_SECONDS": "1"},
    )

    app = finished.events[1].fields["pid"]
    worker = (mini_init.workdir / "worker-pid").read_text()
    reaped_worker = [f"event=reap main=0 pid={worker} signal=9"] if target.as_pid1 else []
    assert finished.event_texts[1:] == [  # after the start line, checked in the typical run
        f"event=spawn pid={app} run=1",
        f"event=reap main=1 pid={app} exit=3",
        "event=drain sig=15",
        "event=timer action=arm seconds=1",
        "event=timer action=fire",
        "event=escalate sig=9",
        "event=timer action=arm seconds=1",  # the wait for the SIGKILL to take effect
        *reaped_worker,
        "event=exit status=3",
    ]


@pytest.mark.parametrize("stderr", ["file", "closed", "broken-pipe"])
# The grandchild ends on the same TERM as the app: whether it is gone when the app is reaped (and
# so whether a drain is logged) is the scheduler's choice.
@pytest.mark.differential("messages")
def test_closed_or_broken_stderr_changes_nothing(
    mini_init: InitLauncher, stderr: StderrKind
) -> None:
    recorder = SignalRecorder(mini_init.workdir)
    run = mini_init.start(
        recorder.command(1, signal.SIGUSR1, signal.SIGWINCH, signal.SIGPIPE, signal.SIGTERM),
        options=["-v"],
        stderr=stderr,
    )
    recorder.wait_ready(2)

    for number in (signal.SIGUSR1, signal.SIGWINCH):
        run.send(number)
        recorder.wait_received(number, 2)
    cpu_before = procfs.cpu_seconds(run.init_pid)
    time.sleep(IDLE_SECONDS)
    idle_cpu = procfs.cpu_seconds(run.init_pid) - cpu_before

    assert idle_cpu < IDLE_CPU_LIMIT
    assert recorder.receivers(signal.SIGPIPE) == 0
    run.send(signal.SIGTERM)
    assert run.wait().exit_code == 0


@pytest.mark.parametrize("stderr", ["closed", "broken-pipe"])
@pytest.mark.parametrize(("command", "code"), [("mini-init-no-such-command", 127), ("/", 126)])
def test_exec_failure_status_survives_a_closed_or_broken_stderr(
    mini_init: InitLauncher, stderr: StderrKind, command: str, code: int
) -> None:
    assert mini_init.start([command], stderr=stderr).wait().exit_code == code
