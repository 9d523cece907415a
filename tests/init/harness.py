"""Starts mini-init as a plain child or as PID 1 of a new PID namespace, and reads what it did."""

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pytest
from mini_init_tools.platforms import NATIVE_ARCH

from . import contract_text, procfs

HELPERS = Path(__file__).parent / "helpers"
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
TAG_VARIABLE = "MINI_INIT_TEST_TAG"
# Absolute: a test may hand the init any PATH.
UNSHARE = shutil.which("unshare") or "/usr/bin/unshare"
CHROOT = shutil.which("chroot") or "/usr/sbin/chroot"

# Bounds generous enough for an init emulated by QEMU on a busy two-core machine.
START_TIMEOUT = 15.0
RUN_TIMEOUT = 30.0
# How long past a deadline a test waits before it checks that nothing happened (no kill, no
# timer): long enough for an emulated init on a busy machine to have acted.
TIMER_SLACK = 1.5

# How late a deadline may be met: between two of the init's -v events (the same monotonic clock as
# the test's), or between an event and what the test sees happen (the kill, the exit). Measured on
# an idle machine: timers fire within 2 ms, the launcher has exited 16 ms after the SIGKILL, natively
# and under QEMU 10 alike. 0.3 s leaves room for a busy two-core machine and still fails a deadline
# 0.5 s late; under QEMU, where the init's exit path is emulated and code that runs for the first
# time (the escalation, the restart) is translated first, 0.4 s.
NATIVE_TIMER_TOLERANCE = 0.3
EMULATED_TIMER_TOLERANCE = 0.4
# How early: event timestamps have microseconds, and the init takes its arming timestamp just
# after it computes the deadline.
TIMER_EARLINESS = 0.005
# The status of an app (or an init) killed by SIGKILL.
KILLED_BY_SIGKILL = 128 + signal.SIGKILL

EVENT_LINE = re.compile(
    r"mini-init: t=(?P<seconds>\d+\.\d{6}) (?P<text>event=[a-z]+(?: [a-z_]+=[^\s=]+)*)"
)

# For tests whose scenario only exists in one mode; every other test runs in both.
ONLY_AS_PID1 = pytest.mark.parametrize("as_pid1", [True], ids=["pid1"])
ONLY_AS_CHILD = pytest.mark.parametrize("as_pid1", [False], ids=["child"])

StderrKind = Literal["file", "closed", "broken-pipe"]


def assert_seconds(
    what: str, measured: float, expected: float, late: float, early: float = TIMER_EARLINESS
) -> None:
    """`measured` is `expected` seconds, at most `early` less and `late` more."""
    assert expected - early <= measured <= expected + late, (
        f"{what}: {measured:.3f} s, expected {expected} s (-{early} s, +{late} s)"
    )


def wait_until(condition: Callable[[], object], what: str, timeout: float = START_TIMEOUT) -> None:
    """Poll `condition` until it is true; fail the test naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)


def python_helper(name: str, *arguments: object) -> list[str]:
    """Command line running a Python helper natively, isolated from the test's Python settings."""
    return [sys.executable, "-I", "-S", str(HELPERS / name), *map(str, arguments)]


def shell_helper(name: str, *arguments: object) -> list[str]:
    return ["sh", str(HELPERS / name), *map(str, arguments)]


@dataclass(frozen=True)
class Target:
    """One way to run the init: which build, and whether it is PID 1 of its own PID namespace."""

    arch: str
    binary: Path
    as_pid1: bool

    def launch_command(self, init_arguments: Sequence[str], root: Path | None = None) -> list[str]:
        """The launcher's command line; with `root`, the init runs chrooted there, as
        /<its file name> (the caller copies it in)."""
        init = [str(self.binary)] if root is None else [CHROOT, str(root), f"/{self.binary.name}"]
        if self.as_pid1:
            return [UNSHARE, "--pid", "--fork", "--mount-proc", *init, *init_arguments]
        return python_helper("reaping_parent.py", *init, *init_arguments)

    @property
    def start_warnings(self) -> list[str]:
        """What the init warns at every start without EP_SUBREAPER=1 in this mode."""
        return contract_text.start_warnings(self.as_pid1)

    @property
    def emulated(self) -> bool:
        """True when the init runs under QEMU user mode, not natively."""
        return self.arch != NATIVE_ARCH

    @property
    def timer_tolerance(self) -> float:
        """Seconds a deadline of this init may be met late (see NATIVE_TIMER_TOLERANCE)."""
        return EMULATED_TIMER_TOLERANCE if self.emulated else NATIVE_TIMER_TOLERANCE


@dataclass(frozen=True)
class Event:
    """One -v line: its monotonic time and the text after it (`event=reap main=1 pid=7 exit=0`)."""

    seconds: float
    text: str

    @property
    def fields(self) -> dict[str, str]:
        return dict(field.split("=", 1) for field in self.text.split(" "))


@dataclass(frozen=True)
class Finished:
    """What a run of the init left: its exit code (negative: killed by that signal), its output as
    written, and when the test saw it end (time.monotonic(), the clock of the -v timestamps)."""

    exit_code: int
    stdout_bytes: bytes
    stderr_bytes: bytes
    ended_at: float

    @property
    def stdout(self) -> str:
        return self.stdout_bytes.decode(errors="replace")

    @property
    def stderr(self) -> str:
        return self.stderr_bytes.decode(errors="replace")

    @property
    def stderr_lines(self) -> list[str]:
        return self.stderr.splitlines()

    @property
    def events(self) -> list[Event]:
        return parse_events(self.stderr)

    @property
    def event_texts(self) -> list[str]:
        return [event.text for event in self.events]

    @property
    def messages(self) -> list[str]:
        """Stderr lines that are not -v events: warnings and errors."""
        return [line for line in self.stderr_lines if not EVENT_LINE.fullmatch(line)]

    def events_starting(self, text: str) -> list[Event]:
        """The -v events whose text starts with `text` (e.g. "event=timer action=fire")."""
        return [event for event in self.events if event.text.startswith(text)]

    def event(self, text: str) -> Event:
        """The first -v event whose text starts with `text`; fails the test when there is none."""
        found = self.events_starting(text)
        if not found:
            pytest.fail(f"no event starting with {text!r} in:\n{self.stderr}")
        return found[0]


def parse_events(stderr: str) -> list[Event]:
    matches = (EVENT_LINE.fullmatch(line) for line in stderr.splitlines())
    return [Event(float(match["seconds"]), match["text"]) for match in matches if match]


class InitRun:
    """A started init: its launcher (unshare or the reaping parent), host PID and output files."""

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        command: Sequence[str],
        environment: dict[str, str],
        output_prefix: Path,
        on_finished: Callable[[Finished], None] | None = None,
    ) -> None:
        self.process = process
        self.command = command
        self.environment = environment
        self._stdout = output_prefix.with_name(f"{output_prefix.name}-stdout")
        self._stderr = output_prefix.with_name(f"{output_prefix.name}-stderr")
        self._init_pid: int | None = None
        self._on_finished = on_finished

    @property
    def init_pid(self) -> int:
        """Host PID of the init: the launcher's only child."""
        if self._init_pid is None:
            wait_until(
                lambda: procfs.children(self.process.pid) or self.process.poll() is not None,
                "the launcher to start the init",
            )
            found = procfs.children(self.process.pid)
            if not found:
                pytest.fail(
                    f"the launcher exited with {self.process.returncode} before the init ran:"
                    f" {self.stderr_text()!r}"
                )
            self._init_pid = found[0]
        return self._init_pid

    def main_child(self, command_name: str | None = None) -> int:
        """Host PID of the init's child once it runs `command_name` (default: the command's file
        name), that is after its execve."""
        command_name = command_name or Path(self.command[0]).name
        found: list[int] = []

        def child_runs_command() -> bool:
            found[:] = [
                pid
                for pid in procfs.children(self.init_pid)
                if procfs.command_name(pid) == command_name[:15]
            ]
            return bool(found)

        wait_until(child_runs_command, f"the init's child to run {command_name}")
        return found[0]

    def send(self, number: int) -> None:
        os.kill(self.init_pid, number)

    def stderr_text(self) -> str:
        return self._stderr.read_text(errors="replace") if self._stderr.exists() else ""

    def stdout_so_far(self) -> bytes:
        return _read_bytes(self._stdout)

    def ppoll_timeout(self) -> float:
        """The timeout of the wait the init is in (math.inf: none), once it waits in ppoll: the
        timer it really set, where its -v events only say what it meant to set."""
        found: list[float] = []

        def waiting() -> bool:
            timeout = procfs.ppoll_timeout(self.init_pid)
            found[:] = [] if timeout is None else [timeout]
            return bool(found) or self.process.poll() is not None

        wait_until(waiting, "the init to wait in ppoll")
        if not found:
            pytest.fail(f"the init exited before it waited in ppoll: {self.stderr_text()!r}")
        return found[0]

    def events_so_far(self) -> list[Event]:
        return parse_events(self.stderr_text())

    def wait_for_event(self, text: str, timeout: float = START_TIMEOUT) -> Event:
        """The first -v event whose text starts with `text` (e.g. "event=restart")."""
        found: list[Event] = []

        def logged() -> bool:
            found[:] = [event for event in self.events_so_far() if event.text.startswith(text)]
            return bool(found)

        wait_until(logged, f"the init to log {text!r}", timeout)
        return found[0]

    def wait(self, timeout: float = RUN_TIMEOUT) -> Finished:
        """Wait for the init, through its launcher, to exit; fail the test after `timeout`."""
        try:
            exit_code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(
                f"the init did not exit within {timeout} s; stderr so far: {self.stderr_text()!r}"
            )
        ended_at = time.monotonic()
        finished = Finished(
            exit_code, _read_bytes(self._stdout), _read_bytes(self._stderr), ended_at
        )
        if self._on_finished is not None:
            self._on_finished(finished)
        return finished


def _read_bytes(path: Path) -> bytes:
    return path.read_bytes() if path.exists() else b""


OnFinished = Callable[[int, Finished], None]


class InitLauncher:
    """Starts runs of one target with a controlled environment and kills whatever they leave.

    `on_finished(run_number, finished)` sees every run that the test waited for (numbered from 1 in
    the order they started): the differential recorder's hook."""

    def __init__(
        self, target: Target, workdir: Path, on_finished: OnFinished | None = None
    ) -> None:
        self.target = target
        self.workdir = workdir
        self.tag = f"{TAG_VARIABLE}={uuid.uuid4().hex}"
        self._runs: list[InitRun] = []
        self._on_finished = on_finished

    def varying_inputs(self) -> dict[str, str]:
        """What this launcher makes different in every test by design (its working directory and
        cleanup tag), each with the placeholder a comparison across architectures puts there."""
        return {str(self.workdir): "<workdir>", self.tag.split("=", 1)[1]: "<tag>"}

    def environment(self, extra: Mapping[str, str | None]) -> dict[str, str]:
        """PATH and the cleanup tag, plus `extra` (a value of None removes that variable)."""
        name, value = self.tag.split("=", 1)
        merged: dict[str, str | None] = {"PATH": SYSTEM_PATH, name: value, **extra}
        return {key: value for key, value in merged.items() if value is not None}

    def start(
        self,
        command: Sequence[str],
        *,
        options: Sequence[str] = (),
        env: Mapping[str, str | None] | None = None,
        stdin: int | None = subprocess.DEVNULL,
        stderr: StderrKind = "file",
        before_exec: Callable[[], None] | None = None,
        root: Path | None = None,
    ) -> InitRun:
        """Start `init OPTIONS -- COMMAND`; `before_exec` runs in the launcher right before exec;
        with `root`, the init runs chrooted there (see Target.launch_command)."""
        return self.start_with_arguments(
            [*options, "--", *command],
            env=env,
            stdin=stdin,
            stderr=stderr,
            before_exec=before_exec,
            root=root,
        )

    def start_with_arguments(
        self,
        init_arguments: Sequence[str],
        *,
        env: Mapping[str, str | None] | None = None,
        stdin: int | None = subprocess.DEVNULL,
        stderr: StderrKind = "file",
        before_exec: Callable[[], None] | None = None,
        root: Path | None = None,
    ) -> InitRun:
        """Start the init with exactly `init_arguments` after its name."""
        environment = self.environment(env or {})
        arguments = list(init_arguments)
        command = arguments[arguments.index("--") + 1 :] if "--" in arguments else []
        argv = self.target.launch_command(arguments, root)
        output_prefix = self.workdir / f"init-{len(self._runs) + 1}"
        with (
            open(f"{output_prefix}-stdout", "wb") as stdout_file,
            open(f"{output_prefix}-stderr", "wb") as stderr_file,
        ):
            stderr_target, close_after_start = self._stderr_target(stderr, stderr_file.fileno())
            process = subprocess.Popen(
                argv,
                stdin=stdin,
                stdout=stdout_file,
                stderr=stderr_target,
                env=environment,
                cwd=self.workdir,
                start_new_session=True,
                # The tests start no threads: running Python between fork and exec is safe here.
                preexec_fn=self._before_exec(stderr, before_exec),  # noqa: PLW1509
            )
            for descriptor in close_after_start:
                os.close(descriptor)
        run_number = len(self._runs) + 1
        on_finished = self._on_finished
        run = InitRun(
            process,
            command,
            environment,
            output_prefix,
            None if on_finished is None else lambda finished: on_finished(run_number, finished),
        )
        self._runs.append(run)
        return run

    def run(
        self,
        command: Sequence[str],
        *,
        options: Sequence[str] = (),
        env: Mapping[str, str | None] | None = None,
        stdin_bytes: bytes | None = None,
        timeout: float = RUN_TIMEOUT,
    ) -> Finished:
        """Start the init, feed it `stdin_bytes` if given, and wait for it to exit on its own."""
        run = self.start(
            command,
            options=options,
            env=env,
            stdin=subprocess.PIPE if stdin_bytes is not None else subprocess.DEVNULL,
        )
        if stdin_bytes is not None:
            assert run.process.stdin is not None
            run.process.stdin.write(stdin_bytes)
            run.process.stdin.close()
        return run.wait(timeout)

    @staticmethod
    def _stderr_target(kind: StderrKind, file_descriptor: int) -> tuple[int, list[int]]:
        """The launcher's stderr descriptor, and the descriptors to close once it started."""
        if kind == "broken-pipe":
            read_end, write_end = os.pipe()
            os.close(read_end)
            return write_end, [write_end]
        return file_descriptor, []

    @staticmethod
    def _before_exec(
        kind: StderrKind, before_exec: Callable[[], None] | None
    ) -> Callable[[], None]:
        def prepare() -> None:
            if kind == "closed":
                os.close(2)
            if before_exec is not None:
                before_exec()

        return prepare

    def kill_everything(self) -> None:
        """SIGKILL every init this launcher started and every process that inherited the tag."""
        for run in self._runs:
            if run.process.poll() is None:
                for pid in procfs.children(run.process.pid):
                    _kill_quietly(pid)
                _kill_quietly(run.process.pid)
        for pid in procfs.processes_with_environment_entry(self.tag):
            _kill_quietly(pid)
        for run in self._runs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                run.process.wait(START_TIMEOUT)


def _kill_quietly(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


class SignalRecorder:
    """Drives helpers/signal_recorder.py: an app and its grandchildren leave a file per signal."""

    def __init__(self, workdir: Path) -> None:
        self.directory = workdir / "signals"
        self.directory.mkdir()

    def command(self, grandchildren: int, *signals: int, leader_stays: bool = False) -> list[str]:
        """The app; with `leader_stays`, SIGTERM ends only the grandchildren, and the app itself
        runs on until `stop()`."""
        numbers = [int(number) for number in signals]
        flags = ["--leader-stays"] if leader_stays else []
        return python_helper("signal_recorder.py", self.directory, grandchildren, *flags, *numbers)

    def stop(self) -> None:
        """Every recorder process still running exits 0 within a tenth of a second."""
        (self.directory / "stop").touch()

    def wait_ready(self, processes: int) -> None:
        wait_until(
            lambda: len(list(self.directory.glob("ready-*"))) == processes,
            f"{processes} recorder processes to install their handlers",
        )

    def receivers(self, number: int) -> int:
        """How many recorder processes got signal `number`."""
        return len(list(self.directory.glob(f"*.{number}")))

    def wait_received(self, number: int, processes: int) -> None:
        wait_until(
            lambda: self.receivers(number) == processes,
            f"signal {number} to reach {processes} recorder processes",
        )
