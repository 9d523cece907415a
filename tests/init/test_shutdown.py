"""Shutdown: the grace period before SIGKILL, and the drain of what the main child leaves behind."""

import signal
import time
from pathlib import Path

import pytest

from . import procfs
from .harness import (
    ONLY_AS_CHILD,
    ONLY_AS_PID1,
    InitLauncher,
    InitRun,
    Target,
    python_helper,
    shell_helper,
    wait_until,
)

KILLED_BY_SIGKILL = 128 + signal.SIGKILL
TIMER_SLACK = 1.5  # seconds an emulated init may take beyond its deadline on a busy machine
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


@pytest.mark.slow
def test_term_ignoring_child_is_killed_when_grace_runs_out(mini_init: InitLauncher) -> None:
    run = start_stubborn_app(mini_init, grace_seconds=2)

    sent_at = time.monotonic()
    run.send(signal.SIGTERM)
    finished = run.wait()

    assert finished.exit_code == KILLED_BY_SIGKILL
    assert 1.9 <= finished.ended_at - sent_at <= 2 + TIMER_SLACK
    assert "event=escalate sig=9" in finished.event_texts


def test_zero_grace_kills_term_ignoring_child_right_after_forwarding(
    mini_init: InitLauncher,
) -> None:
    run = start_stubborn_app(mini_init, grace_seconds=0)

    sent_at = time.monotonic()
    run.send(signal.SIGTERM)
    finished = run.wait()

    assert finished.exit_code == KILLED_BY_SIGKILL
    assert finished.ended_at - sent_at <= TIMER_SLACK


@pytest.mark.slow
def test_second_term_does_not_restart_the_grace_timer(mini_init: InitLauncher) -> None:
    run = start_stubborn_app(mini_init, grace_seconds=3)

    sent_at = time.monotonic()
    run.send(signal.SIGTERM)
    time.sleep(2)
    run.send(signal.SIGTERM)
    finished = run.wait()

    assert finished.exit_code == KILLED_BY_SIGKILL
    assert 2.9 <= finished.ended_at - sent_at <= 3 + TIMER_SLACK
    assert [
        event for event in finished.event_texts if event.startswith("event=timer action=arm")
    ] == ["event=timer action=arm seconds=3"]


@pytest.mark.slow
def test_burst_of_signals_during_grace_neither_kills_the_init_nor_moves_the_deadline(
    mini_init: InitLauncher,
) -> None:
    run = start_stubborn_app(mini_init, grace_seconds=2)

    sent_at = time.monotonic()
    for index in range(300):
        run.send(SIGNALS_IN_BURST[index % len(SIGNALS_IN_BURST)])
        if index % 50 == 0:
            time.sleep(0.05)
    finished = run.wait()

    assert finished.exit_code == KILLED_BY_SIGKILL
    assert 1.9 <= finished.ended_at - sent_at <= 2 + TIMER_SLACK


@pytest.mark.slow
def test_drain_after_a_stop_keeps_the_running_grace_period(mini_init: InitLauncher) -> None:
    stubborn_member = " ".join(shell_helper("stubborn.sh", mini_init.workdir))
    run = mini_init.start(
        ["sh", "-c", f"{stubborn_member} & wait"], options=["-v"], env={"EP_GRACE_SECONDS": "2"}
    )
    wait_until(lambda: any(mini_init.workdir.glob("ready-*")), "the group member to ignore signals")

    sent_at = time.monotonic()
    run.send(signal.SIGTERM)
    finished = run.wait()

    assert finished.exit_code == 128 + signal.SIGTERM
    assert 1.9 <= finished.ended_at - sent_at <= 2 + TIMER_SLACK
    assert "event=drain sig=15" in finished.event_texts
    assert sum(text.startswith("event=timer action=arm") for text in finished.event_texts) == 1


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
    started_at = time.monotonic()
    finished = start_app_leaving_worker(mini_init, kind, grace_seconds=1).wait()

    assert finished.exit_code == 3
    assert 1.0 <= finished.ended_at - started_at <= 1 + TIMER_SLACK + 2
    assert "event=escalate sig=9" in finished.event_texts
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
def test_subreaper_waits_for_a_daemon_it_cannot_signal_only_for_the_grace_period(
    mini_init: InitLauncher,
) -> None:
    started_at = time.monotonic()
    finished = mini_init.start(
        python_helper("leave_worker.py", mini_init.workdir, 3, "stubborn-detached"),
        env={"EP_SUBREAPER": "1", "EP_GRACE_SECONDS": "1"},
    ).wait()

    assert finished.exit_code == 3
    assert 1.0 <= finished.ended_at - started_at <= 1 + TIMER_SLACK + 2
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
