"""Shutdown: the grace period before SIGKILL, and the drain of what the main child leaves behind.

Deadlines are measured where they happen: the init's -v events carry the same monotonic clock as
the test, so each test checks when the timer was armed (after the stop request, or after the
main child's exit), when it fired (the grace period later), and when the init really exited."""

import signal
import time
from pathlib import Path

import pytest

from . import procfs
from .harness import (
    KILLED_BY_SIGKILL,
    ONLY_AS_CHILD,
    ONLY_AS_PID1,
    Finished,
    InitLauncher,
    InitRun,
    Target,
    assert_seconds,
    python_helper,
    shell_helper,
    wait_until,
)

# docs/contract.md section 4, bounded exit: the init exits one second after the drain's SIGKILL
# when something it cannot end remains.
BOUNDED_EXIT_SECONDS = 1.0
SIGNALS_IN_BURST = [
    signal.SIGTERM,
    signal.SIGINT,
    signal.SIGHUP,
    signal.SIGQUIT,
    signal.SIGUSR1,
    signal.SIGUSR2,
    signal.SIGWINCH,
    signal.SIGALRM,
    signal.SIGTSTP,
    signal.SIGURG,
]


def start_stubborn_app(mini_init: InitLauncher, grace_seconds: int) -> InitRun:
    run = mini_init.start(
        shell_helper("stubborn.sh", mini_init.workdir),
        options=["-v"],
        env={"EP_GRACE_SECONDS": str(grace_seconds)},
    )
    wait_until(lambda: any(mini_init.workdir.glob("ready-*")), "the app to ignore its signals")
    return run


def start_app_leaving_worker(
    mini_init: InitLauncher, kind: str, grace_seconds: int = 10
) -> InitRun:
    return mini_init.start(
        python_helper("leave_worker.py", mini_init.workdir, 3, kind),
        options=["-v"],
        env={"EP_GRACE_SECONDS": str(grace_seconds)},
    )


def worker_pid(workdir: Path) -> int:
    """The worker's PID in the init's PID namespace."""
    return int((workdir / "worker-pid").read_text())


def assert_grace_timer(
    target: Target, finished: Finished, armed_after: float, grace_seconds: int
) -> float:
    """One grace timer was armed right after `armed_after` (a monotonic time) and fired
    `grace_seconds` later; returns when it fired. Any later timer is the one-second wait for a
    SIGKILL to take effect (docs/contract.md section 9: `timer action=arm seconds=1`)."""
    tolerance = target.timer_tolerance
    events = finished.events
    fire = finished.event("event=timer action=fire")
    fired_index = events.index(fire)
    arms = [
        (index, event)
        for index, event in enumerate(events)
        if event.text.startswith("event=timer action=arm")
    ]
    grace_arms = [event for index, event in arms if index < fired_index]
    assert [event.text for event in grace_arms] == [
        f"event=timer action=arm seconds={grace_seconds}"
    ]
    kill_waits = [event.text for index, event in arms if index > fired_index]
    assert kill_waits in ([], ["event=timer action=arm seconds=1"])
    assert_seconds("arming the grace timer", grace_arms[0].seconds - armed_after, 0, tolerance)
    assert_seconds(
        "the grace period", fire.seconds - grace_arms[0].seconds, grace_seconds, tolerance
    )
    return fire.seconds


def assert_killed_then_exited(target: Target, finished: Finished, fired_at: float) -> None:
    """SIGKILL went out when the timer fired, and the init exited right after."""
    escalate = finished.event("event=escalate sig=9")
    assert_seconds("the SIGKILL after the timer fired", escalate.seconds - fired_at, 0, 0.05)
    assert_seconds(
        "the exit after the SIGKILL", finished.ended_at - fired_at, 0, target.timer_tolerance
    )


@pytest.mark.slow
def test_term_ignoring_child_is_killed_when_grace_runs_out(
    target: Target, mini_init: InitLauncher
) -> None:
    run = start_stubborn_app(mini_init, grace_seconds=2)

    sent_at = time.monotonic()
    run.send(signal.SIGTERM)
    finished = run.wait()

    assert finished.exit_code == KILLED_BY_SIGKILL
    fired_at = assert_grace_timer(target, finished, sent_at, 2)
    assert_killed_then_exited(target, finished, fired_at)


def test_zero_grace_kills_term_ignoring_child_right_after_forwarding(
    target: Target, mini_init: InitLauncher
) -> None:
    run = start_stubborn_app(mini_init, grace_seconds=0)

    sent_at = time.monotonic()
    run.send(signal.SIGTERM)
    finished = run.wait()

    assert finished.exit_code == KILLED_BY_SIGKILL
    assert finished.event_texts.index("event=signal action=forward sig=15") < (
        finished.event_texts.index("event=escalate sig=9")
    )
    assert_seconds(
        "the exit after the TERM", finished.ended_at - sent_at, 0, target.timer_tolerance
    )


@pytest.mark.slow
def test_second_term_is_forwarded_and_does_not_restart_the_grace_timer(
    target: Target, mini_init: InitLauncher
) -> None:
    run = start_stubborn_app(mini_init, grace_seconds=3)

    sent_at = time.monotonic()
    run.send(signal.SIGTERM)
    time.sleep(2)
    run.send(signal.SIGTERM)
    finished = run.wait()

    assert finished.exit_code == KILLED_BY_SIGKILL
    assert finished.event_texts.count("event=signal action=forward sig=15") == 2
    fired_at = assert_grace_timer(target, finished, sent_at, 3)
    assert_killed_then_exited(target, finished, fired_at)


@pytest.mark.slow
@pytest.mark.differential("messages")  # the kernel coalesces pending signals: any event count
def test_burst_of_signals_during_grace_neither_kills_the_init_nor_moves_the_deadline(
    target: Target, mini_init: InitLauncher
) -> None:
    run = start_stubborn_app(mini_init, grace_seconds=2)

    sent_at = time.monotonic()
    for index in range(300):
        run.send(SIGNALS_IN_BURST[index % len(SIGNALS_IN_BURST)])
        if index % 50 == 0:
            time.sleep(0.05)
    finished = run.wait()

    assert finished.exit_code == KILLED_BY_SIGKILL
    fired_at = assert_grace_timer(target, finished, sent_at, 2)
    assert_killed_then_exited(target, finished, fired_at)


@pytest.mark.slow
def test_drain_after_a_stop_keeps_the_running_grace_period(
    target: Target, mini_init: InitLauncher
) -> None:
    stubborn_member = " ".join(shell_helper("stubborn.sh", mini_init.workdir))
    run = mini_init.start(
        ["sh", "-c", f"{stubborn_member} & wait"], options=["-v"], env={"EP_GRACE_SECONDS": "2"}
    )
    wait_until(lambda: any(mini_init.workdir.glob("ready-*")), "the group member to ignore signals")

    sent_at = time.monotonic()
    run.send(signal.SIGTERM)
    finished = run.wait()

    assert finished.exit_code == 128 + signal.SIGTERM
    assert "event=drain sig=15" in finished.event_texts
    fired_at = assert_grace_timer(target, finished, sent_at, 2)
    assert_killed_then_exited(target, finished, fired_at)


def test_group_leftover_gets_term_and_flushes_before_the_init_exits(
    mini_init: InitLauncher,
) -> None:
    finished = start_app_leaving_worker(mini_init, "flushing").wait()

    assert finished.exit_code == 3
    assert (
        mini_init.workdir / "flushed"
    ).read_text() == f"flushed by {worker_pid(mini_init.workdir)}\n"
    assert "event=drain sig=15" in finished.event_texts


@ONLY_AS_PID1
def test_detached_daemon_gets_term_and_flushes_before_the_init_exits(
    mini_init: InitLauncher,
) -> None:
    finished = start_app_leaving_worker(mini_init, "flushing-detached").wait()

    assert finished.exit_code == 3
    assert (
        mini_init.workdir / "flushed"
    ).read_text() == f"flushed by {worker_pid(mini_init.workdir)}\n"
    assert f"event=reap main=0 pid={worker_pid(mini_init.workdir)} exit=0" in finished.event_texts


def assert_killed_after_grace(target: Target, mini_init: InitLauncher, kind: str) -> None:
    finished = start_app_leaving_worker(mini_init, kind, grace_seconds=1).wait()

    assert finished.exit_code == 3
    app_exit = finished.event("event=reap main=1 ")
    fired_at = assert_grace_timer(target, finished, app_exit.seconds, 1)
    assert_killed_then_exited(target, finished, fired_at)
    if target.as_pid1:
        assert (
            f"event=reap main=0 pid={worker_pid(mini_init.workdir)} signal=9"
            in finished.event_texts
        )
    else:
        assert procfs.state(worker_pid(mini_init.workdir)) is None


def assert_one_term_then_kill(mini_init: InitLauncher, kind: str) -> None:
    finished = start_app_leaving_worker(mini_init, kind, grace_seconds=1).wait()

    assert finished.exit_code == 3
    assert (mini_init.workdir / "terms").read_text() == "TERM\n"
    assert "event=escalate sig=9" in finished.event_texts


@pytest.mark.slow
def test_group_leftover_gets_exactly_one_term_before_the_kill(mini_init: InitLauncher) -> None:
    assert_one_term_then_kill(mini_init, "counting")


@pytest.mark.slow
@ONLY_AS_PID1
def test_detached_daemon_gets_exactly_one_term_before_the_kill(mini_init: InitLauncher) -> None:
    assert_one_term_then_kill(mini_init, "counting-detached")


@pytest.mark.slow
@ONLY_AS_CHILD
def test_subreaper_leaves_a_daemon_it_cannot_signal_one_second_after_the_drains_kill(
    target: Target, mini_init: InitLauncher
) -> None:
    finished = mini_init.start(
        python_helper("leave_worker.py", mini_init.workdir, 3, "stubborn-detached"),
        options=["-v"],
        env={"EP_SUBREAPER": "1", "EP_GRACE_SECONDS": "1"},
    ).wait()

    assert finished.exit_code == 3
    app_exit = finished.event("event=reap main=1 ")
    fired_at = assert_grace_timer(target, finished, app_exit.seconds, 1)
    assert_seconds(
        "the exit after the drain's SIGKILL",
        finished.ended_at - fired_at,
        BOUNDED_EXIT_SECONDS,
        target.timer_tolerance,
    )
    group = app_exit.fields["pid"]
    assert finished.messages == [f"mini-init: warning: leaving processes of process group {group}"]
    assert procfs.is_alive(worker_pid(mini_init.workdir))


@pytest.mark.slow
def test_term_ignoring_group_leftover_is_killed_after_grace(
    target: Target, mini_init: InitLauncher
) -> None:
    assert_killed_after_grace(target, mini_init, "stubborn")


@pytest.mark.slow
@ONLY_AS_PID1
def test_term_ignoring_detached_daemon_is_killed_after_grace(
    target: Target, mini_init: InitLauncher
) -> None:
    assert_killed_after_grace(target, mini_init, "stubborn-detached")
