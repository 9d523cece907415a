"""Terminal hand-over (issue 8): shells under the init on a real pty own the terminal and job control."""

import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from . import procfs
from .harness import (
    ONLY_AS_CHILD,
    RUN_TIMEOUT,
    START_TIMEOUT,
    InitLauncher,
    Target,
    wait_until,
)
from .pty_session import (
    BASH,
    CTRL_C,
    CTRL_Z,
    DASH,
    SHELL_ENVIRONMENT,
    SHELLS,
    PtySession,
    Shell,
    child_running,
    descendant_running,
    session_leader_command,
    terminal_foreground_group,
)

GRACE_SECONDS = 1
PAST_GRACE_SECONDS = 2.5
HANG_UP_LIMIT = 5.0  # seconds from the hang-up to the init's exit, QEMU included
NO_JOB_CONTROL = (
    "job control"  # every shell's complaint: "... job control turned off" or "no job control"
)
SIGHUP_STATUS = 128 + 1
TERMINAL_TAKEN_WARNING = "cannot take the terminal"
DEBIAN_PACKAGES = {"sh": "dash", "busybox": "busybox-static"}


@dataclass
class TerminalRun:
    """An init owning a pty as session leader, and the shell it runs."""

    session: PtySession
    init_pid: int
    shell_pid: int

    def assert_init_untouched(self) -> None:
        """The init is alive, not stopped, and logged (-v) no signal: keys went to the shell's jobs."""
        assert procfs.is_alive(self.init_pid), f"the init died; screen:\n{self.session.tail()}"
        assert not procfs.is_stopped(self.init_pid), "the init is stopped"
        assert "event=signal" not in self.session.raw, self.session.tail()

    def start_foreground_sleep(self) -> int:
        """Type `sleep 30`; return its PID once it runs in the foreground of the terminal."""
        self.session.line("sleep 30")
        sleep = descendant_running(self.shell_pid, "sleep")
        wait_until(
            lambda: terminal_foreground_group(self.shell_pid) == sleep,
            "the shell to put sleep in the foreground",
        )
        wait_until(lambda: procfs.is_in_nanosleep(sleep), "sleep to settle in its sleep")
        return sleep


StartShell = Callable[..., TerminalRun]


@pytest.fixture(params=SHELLS, ids=lambda shell: shell.name)
def shell(request: pytest.FixtureRequest) -> Shell:
    chosen: Shell = request.param
    require_program(chosen)
    return chosen


def require_program(shell: Shell) -> None:
    program = shell.argv[0]
    if shutil.which(program) is None:
        package = DEBIAN_PACKAGES.get(program, program)
        pytest.fail(
            f"{program} is not installed, so {shell.name} cannot be tested:"
            f" apt-get install {package}",
            pytrace=False,
        )


@pytest.fixture
def start_shell(target: Target, mini_init: InitLauncher, shell: Shell) -> Iterator[StartShell]:
    """Starts `setsid -c INIT -v -- SHELL` on a new pty (as PID 1 under unshare, or as a plain
    child of a reaping parent): the init is session leader and the pty its controlling terminal."""
    sessions: list[PtySession] = []

    def start(env: dict[str, str] | None = None) -> TerminalRun:
        environment = mini_init.environment({**SHELL_ENVIRONMENT, **(env or {})})
        init_arguments = [str(target.binary), "-v", "--", *shell.argv]
        session = PtySession(
            session_leader_command(init_arguments, target.as_pid1), environment, mini_init.workdir
        )
        sessions.append(session)
        init = child_running(session.process.pid, target.binary.name)
        app = child_running(init, shell.command_name)
        session.wait_for_prompt()
        return TerminalRun(session, init, app)

    yield start
    for session in sessions:
        session.close(mini_init.kill_everything)


def test_shell_starts_with_job_control_and_owns_the_terminal(start_shell: StartShell) -> None:
    run = start_shell()

    flags = run.session.run(
        'case $- in *m*) echo "with-$((1+1))";; *) echo "without-$((1+1))";; esac'
    )

    assert "with-2" in flags, run.session.tail()
    assert NO_JOB_CONTROL not in run.session.transcript.lower()
    assert TERMINAL_TAKEN_WARNING not in run.session.transcript
    init_group, init_session = procfs.group_and_session(run.init_pid)
    assert (init_group, init_session) == (run.init_pid, run.init_pid)
    assert procfs.group_and_session(run.shell_pid) == (run.shell_pid, init_session)
    assert terminal_foreground_group(run.init_pid) == run.shell_pid
    run.assert_init_untouched()


def test_ctrl_c_interrupts_the_foreground_job_and_returns_to_the_prompt(
    start_shell: StartShell,
) -> None:
    run = start_shell()
    sleep = run.start_foreground_sleep()

    run.session.type(CTRL_C)

    run.session.answers()
    assert not procfs.is_alive(sleep)
    assert terminal_foreground_group(run.shell_pid) == run.shell_pid
    run.assert_init_untouched()


@pytest.mark.slow
def test_ctrl_c_at_an_idle_prompt_leaves_the_session_up_past_the_grace_period(
    start_shell: StartShell,
) -> None:
    run = start_shell(env={"EP_GRACE_SECONDS": str(GRACE_SECONDS)})
    run.session.answers()
    run.session.wait_for_prompt()

    run.session.type(CTRL_C)
    run.session.settle(PAST_GRACE_SECONDS)
    run.session.type("\r")  # a fresh prompt: bash does not always redraw its own after ^C

    run.session.answers()
    assert procfs.is_alive(run.shell_pid)
    assert "event=timer" not in run.session.raw
    run.assert_init_untouched()


def test_ctrl_z_stops_the_job_and_jobs_fg_bg_kill_work(start_shell: StartShell) -> None:
    run = start_shell()
    sleep = run.start_foreground_sleep()

    run.session.type(CTRL_Z)
    wait_until(lambda: procfs.is_stopped(sleep), "Ctrl-Z to stop sleep")
    listed = run.session.run("jobs")
    assert "Stopped" in listed and "sleep 30" in listed, run.session.tail()

    run.session.run("bg")
    wait_until(lambda: not procfs.is_stopped(sleep), "bg to continue sleep")
    assert terminal_foreground_group(run.shell_pid) == run.shell_pid

    run.session.line("fg")
    wait_until(
        lambda: terminal_foreground_group(run.shell_pid) == sleep, "fg to give sleep the terminal"
    )
    run.session.type(CTRL_Z)
    wait_until(lambda: procfs.is_stopped(sleep), "a second Ctrl-Z to stop sleep")
    run.session.run("bg")  # dash's kill sends no SIGCONT, and a stopped process keeps TERM pending
    wait_until(lambda: not procfs.is_stopped(sleep), "bg to continue sleep again")

    run.session.run("kill %1")
    wait_until(lambda: not procfs.is_alive(sleep), "kill %1 to end the sleep")
    run.session.answers()
    run.assert_init_untouched()


def test_background_job_reading_the_terminal_is_stopped_and_stops_nothing_else(
    start_shell: StartShell,
) -> None:
    run = start_shell()

    run.session.line("cat &")
    cat = descendant_running(run.shell_pid, "cat")
    wait_until(lambda: procfs.is_stopped(cat), "SIGTTIN to stop the background cat")

    run.session.answers()
    assert terminal_foreground_group(run.shell_pid) == run.shell_pid
    run.session.run("kill -9 %1")
    wait_until(lambda: not procfs.is_alive(cat), "kill -9 %1 to end the stopped cat")
    run.session.answers()
    run.assert_init_untouched()


def test_exit_status_of_the_shell_is_the_init_status(start_shell: StartShell) -> None:
    run = start_shell()

    run.session.line("exit 3")

    assert run.session.wait(RUN_TIMEOUT) == 3


def test_hang_up_ends_the_shell_and_the_init_promptly_with_its_status(
    start_shell: StartShell,
) -> None:
    """Closing the master signals only the session leader (the init); the init forwards SIGHUP
    to the shell, which is waiting for its foreground job and dies of it in all three shells."""
    run = start_shell()
    run.start_foreground_sleep()

    hung_up_at = time.monotonic()
    run.session.hang_up()
    status = run.session.wait(HANG_UP_LIMIT + START_TIMEOUT)

    assert time.monotonic() - hung_up_at <= HANG_UP_LIMIT
    assert status == SIGHUP_STATUS


def test_hang_up_at_an_idle_prompt_ends_the_init_promptly(
    start_shell: StartShell, shell: Shell
) -> None:
    """At its prompt the shell either fails to read the hung-up terminal (its own status for
    that) or gets the forwarded SIGHUP (129) first; either way the init ends with it, promptly."""
    run = start_shell()
    run.session.answers()

    hung_up_at = time.monotonic()
    run.session.hang_up()
    status = run.session.wait(HANG_UP_LIMIT + START_TIMEOUT)

    assert time.monotonic() - hung_up_at <= HANG_UP_LIMIT
    assert status in (shell.read_failure_status, SIGHUP_STATUS)


# The init started from an interactive shell that owns the terminal (a plain child, not session
# leader): in the background it leaves the terminal alone, in the foreground its child takes it.

FROM_OUTER_SHELLS = pytest.mark.parametrize(
    "outer_shell", [DASH, BASH], ids=lambda shell: shell.name, indirect=True
)


@pytest.fixture
def outer_shell(mini_init: InitLauncher, request: pytest.FixtureRequest) -> Iterator[TerminalRun]:
    shell: Shell = request.param
    require_program(shell)
    environment = mini_init.environment(SHELL_ENVIRONMENT)
    session = PtySession(
        session_leader_command(list(shell.argv), as_pid1=False), environment, mini_init.workdir
    )
    try:
        first = child_running(session.process.pid, shell.command_name)
        session.wait_for_prompt()
        yield TerminalRun(session, first, first)
    finally:
        session.close(mini_init.kill_everything)


def start_init_from_the_shell(target: Target, outer_shell: TerminalRun, rest: str) -> int:
    """Type `INIT -s -- REST` (REST starting with `sleep`); return the sleep's PID once it sleeps."""
    outer_shell.session.line(f"{target.binary} -s -- {rest}")
    init = descendant_running(outer_shell.shell_pid, target.binary.name)
    sleep = child_running(init, "sleep")
    wait_until(lambda: procfs.is_in_nanosleep(sleep), "the init's child to sleep")
    return sleep


@ONLY_AS_CHILD
@FROM_OUTER_SHELLS
def test_init_started_in_the_background_does_not_take_the_terminal(
    target: Target, outer_shell: TerminalRun
) -> None:
    session, shell = outer_shell.session, outer_shell.shell_pid

    sleep = start_init_from_the_shell(target, outer_shell, "sleep 30 &")
    session.settle(0.5)

    assert terminal_foreground_group(shell) == shell
    assert procfs.group_and_session(sleep)[0] == sleep
    session.answers()
    assert TERMINAL_TAKEN_WARNING not in session.transcript
    assert session.exit_status_of("kill %1; wait %1") == 128 + 15


@ONLY_AS_CHILD
@FROM_OUTER_SHELLS
def test_init_started_in_the_foreground_hands_the_terminal_to_its_child(
    target: Target, outer_shell: TerminalRun
) -> None:
    session, shell = outer_shell.session, outer_shell.shell_pid

    sleep = start_init_from_the_shell(target, outer_shell, 'sleep 30; echo "after=$?/"')
    wait_until(
        lambda: terminal_foreground_group(shell) == sleep, "the init's child to take the terminal"
    )
    assert procfs.group_and_session(sleep) == (sleep, procfs.group_and_session(shell)[1])

    session.type(CTRL_C)

    assert session.expect(r"after=(\d+)/")[1] == "130"  # the child's status: the init got no INT
    wait_until(lambda: terminal_foreground_group(shell) == shell, "the shell to get it back")
    session.answers()
