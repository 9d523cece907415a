"""Restart on crash: only after death by a signal, with backoff, up to EP_MAX_RESTARTS."""

import signal
import time
from pathlib import Path

import pytest

from .harness import InitLauncher, InitRun, shell_helper

KILLED_BY_SIGKILL = 128 + signal.SIGKILL
RESTART_SLACK = 3.0  # seconds beyond the backoffs an emulated init may need on a busy machine


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


@pytest.mark.slow
def test_crashed_child_is_restarted_after_the_backoff(mini_init: InitLauncher) -> None:
    started_at = time.monotonic()
    finished = mini_init.run(
        crash_counter(mini_init.workdir, 0),
        options=["-v"],
        env=restarting(backoff=1, max_restarts=2),
    )

    assert finished.exit_code == KILLED_BY_SIGKILL
    assert distinct_run_pids(mini_init.workdir) == 3
    assert 2.0 <= finished.ended_at - started_at <= 2 + RESTART_SLACK
    assert [text for text in finished.event_texts if text.startswith("event=restart")] == [
        "event=restart run=2 backoff=1",
        "event=restart run=3 backoff=1",
    ]
    spawns = [
        event.fields["run"] for event in finished.events if event.text.startswith("event=spawn")
    ]
    assert spawns == ["1", "2", "3"]


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
    [signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT],
    ids=lambda number: number.name,
)
def test_soft_signal_during_backoff_exits_at_once_with_the_last_status(
    mini_init: InitLauncher, number: signal.Signals
) -> None:
    run = start_in_backoff(mini_init, backoff=60)

    sent_at = time.monotonic()
    run.send(number)
    finished = run.wait()

    assert finished.exit_code == KILLED_BY_SIGKILL
    assert finished.ended_at - sent_at <= RESTART_SLACK
    assert distinct_run_pids(mini_init.workdir) == 1
