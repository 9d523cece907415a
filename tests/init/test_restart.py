"""Restart on crash: only after death by a signal, with backoff, up to EP_MAX_RESTARTS."""

import signal
import time
from itertools import pairwise
from pathlib import Path

import pytest

from . import procfs
from .harness import (
    KILLED_BY_SIGKILL,
    InitLauncher,
    InitRun,
    Target,
    assert_seconds,
    shell_helper,
    wait_until,
)

UPTIME_RESOLUTION = 0.01  # /proc/uptime, where the app reads the time it started


def restarting(backoff: int, max_restarts: int | None = None) -> dict[str, str]:
    env = {"EP_RESTART_ENABLED": "1", "EP_RESTART_BACKOFF_SECONDS": str(backoff)}
    if max_restarts is not None:
        env["EP_MAX_RESTARTS"] = str(max_restarts)
    return env


def crash_counter(workdir: Path, limit: int, signal_name: str = "KILL", *extra: str) -> list[str]:
    """App that crashes with `signal_name` until run number `limit` (0: never), which exits 0."""
    return shell_helper("crash_counter.sh", workdir, limit, signal_name, *extra)


def runs_logged(workdir: Path) -> list[str]:
    """Lines of the app's run log, with PIDs replaced by 'run'."""
    lines = (workdir / "runs").read_text().splitlines()
    return ["run" if line.startswith("run ") else line for line in lines]


def distinct_run_pids(workdir: Path) -> int:
    return len(
        {line for line in (workdir / "runs").read_text().splitlines() if line.startswith("run ")}
    )


def start_times(workdir: Path) -> list[float]:
    """When each run of crash_counter.sh started, in seconds since boot."""
    return [float(line) for line in (workdir / "starts").read_text().split()]


@pytest.mark.slow
def test_crashed_child_is_restarted_after_the_backoff(
    target: Target, mini_init: InitLauncher
) -> None:
    finished = mini_init.run(
        crash_counter(mini_init.workdir, 0),
        options=["-v"],
        env=restarting(backoff=1, max_restarts=2),
    )

    assert finished.exit_code == KILLED_BY_SIGKILL
    assert distinct_run_pids(mini_init.workdir) == 3
    restarts = finished.events_starting("event=restart")
    assert [event.text for event in restarts] == [
        "event=restart run=2 backoff=1",
        "event=restart run=3 backoff=1",
    ]
    spawns = finished.events_starting("event=spawn")
    assert [event.fields["run"] for event in spawns] == ["1", "2", "3"]
    crashes = finished.events_starting("event=reap main=1 ")
    tolerance = target.timer_tolerance
    for crash, restart, spawn in zip(crashes[:-1], restarts, spawns[1:], strict=True):
        assert_seconds("the restart after the crash", restart.seconds - crash.seconds, 0, tolerance)
        assert_seconds("the backoff", spawn.seconds - restart.seconds, 1, tolerance)
    for earlier, later in pairwise(start_times(mini_init.workdir)):
        # a run crashes within milliseconds of its start: the backoff is most of the gap
        assert_seconds(
            "one run's start to the next's", later - earlier, 1, tolerance, UPTIME_RESOLUTION
        )


@pytest.mark.parametrize("max_restarts", [1, 3])
@pytest.mark.parametrize(("signal_name", "status"), [("KILL", 137), ("USR2", 140)])
def test_max_restarts_n_gives_n_plus_1_runs_then_the_mapped_status(
    mini_init: InitLauncher, max_restarts: int, signal_name: str, status: int
) -> None:
    finished = mini_init.run(
        crash_counter(mini_init.workdir, 0, signal_name),
        env=restarting(backoff=0, max_restarts=max_restarts),
    )

    assert finished.exit_code == status
    assert distinct_run_pids(mini_init.workdir) == max_restarts + 1


def test_unlimited_restarts_go_on_until_a_normal_exit(mini_init: InitLauncher) -> None:
    finished = mini_init.run(crash_counter(mini_init.workdir, 6), env=restarting(backoff=0))

    assert finished.exit_code == 0
    assert distinct_run_pids(mini_init.workdir) == 6


@pytest.mark.parametrize("code", [0, 1, 3])
def test_normal_exit_is_never_restarted(mini_init: InitLauncher, code: int) -> None:
    finished = mini_init.run(
        ["sh", "-c", f'echo "run $$" >> runs; exit {code}'], env=restarting(backoff=0)
    )

    assert finished.exit_code == code
    assert distinct_run_pids(mini_init.workdir) == 1


def test_child_killed_by_a_forwarded_shutdown_signal_is_not_restarted(
    mini_init: InitLauncher,
) -> None:
    run = mini_init.start(["sleep", "30"], env=restarting(backoff=0))
    run.main_child()

    run.send(signal.SIGTERM)

    assert run.wait().exit_code == 128 + signal.SIGTERM


def test_child_killed_by_a_forwarded_hup_is_restarted(mini_init: InitLauncher) -> None:
    """HUP is forwarded and nothing else (docs/contract.md section 3): it is no stop request, so
    an app that dies of it crashed."""
    run = mini_init.start(
        ["sh", "-c", 'echo "run $$" >> runs; exec sleep 30'],
        options=["-v"],
        env=restarting(backoff=0, max_restarts=1),
    )
    first = run.main_child("sleep")

    run.send(signal.SIGHUP)
    wait_until(
        lambda: any(
            child != first and procfs.is_alive(child) and procfs.command_name(child) == "sleep"
            for child in procfs.children(run.init_pid)
        ),
        "the second run to sleep",
    )
    run.send(signal.SIGTERM)
    finished = run.wait()

    assert finished.exit_code == 128 + signal.SIGTERM
    assert distinct_run_pids(mini_init.workdir) == 2
    assert "event=restart run=2 backoff=0" in finished.event_texts


def test_leftovers_of_a_crashed_run_are_terminated_before_the_next_run(
    mini_init: InitLauncher,
) -> None:
    finished = mini_init.run(
        crash_counter(mini_init.workdir, 0, "KILL", "leftover"),
        env=restarting(backoff=0, max_restarts=1),
    )

    assert finished.exit_code == KILLED_BY_SIGKILL
    assert runs_logged(mini_init.workdir) == ["run", "leftover terminated", "run"]


def start_in_backoff(mini_init: InitLauncher, backoff: int) -> InitRun:
    run = mini_init.start(
        crash_counter(mini_init.workdir, 0), options=["-v"], env=restarting(backoff=backoff)
    )
    run.wait_for_event("event=restart")
    return run


@pytest.mark.parametrize(
    "number",
    [signal.SIGTERM, signal.SIGINT, signal.SIGQUIT],
    ids=lambda number: number.name,
)
def test_stop_request_during_backoff_exits_at_once_with_the_last_status(
    target: Target, mini_init: InitLauncher, number: signal.Signals
) -> None:
    run = start_in_backoff(mini_init, backoff=60)

    sent_at = time.monotonic()
    run.send(number)
    finished = run.wait()

    assert finished.exit_code == KILLED_BY_SIGKILL
    assert_seconds(
        "the exit after the stop request", finished.ended_at - sent_at, 0, target.timer_tolerance
    )
    assert distinct_run_pids(mini_init.workdir) == 1
