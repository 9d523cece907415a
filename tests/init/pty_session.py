"""A program run on a real pseudo-terminal: keystrokes in, screen text out, and terminal facts."""

import contextlib
import os
import re
import select
import signal
import subprocess
import termios
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from . import procfs
from .harness import START_TIMEOUT, UNSHARE, python_helper, wait_until

SETSID = "/usr/bin/setsid"
CTRL_C = b"\x03"
CTRL_Z = b"\x1a"
ROWS, COLUMNS = 50, 250  # wide enough that no shell wraps or redraws a typed line
CONTROL_SEQUENCE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")  # cursor moves and the like, not text
# A -v line of the init on the same terminal; it may land in the middle of the shell's output.
INIT_EVENT_LINE = re.compile(r"mini-init: t=\d+\.\d{6} event=[^\n]*\n")
TRANSCRIPT_TAIL = 3000  # characters of screen text shown when an expectation fails
PROMPT = "$ "  # PS1 in SHELL_ENVIRONMENT
PROMPT_QUIET_SECONDS = 0.05


def terminal_foreground_group(pid: int) -> int:
    """The foreground process group of the controlling terminal of `pid` (/proc stat field 8)."""
    text = (procfs.PROC / str(pid) / "stat").read_text()
    return int(text[text.rindex(")") + 2 :].split()[5])


def session_leader_command(arguments: Sequence[str], as_pid1: bool) -> list[str]:
    """How runc starts `-t`: `setsid -c` makes the first program a session leader owning the
    terminal on its stdin; as PID 1 of a new PID namespace, or as the child of a reaping parent."""
    if as_pid1:
        return [UNSHARE, "--pid", "--fork", "--mount-proc", SETSID, "-c", *arguments]
    return python_helper("reaping_parent.py", SETSID, "-c", *arguments)


@dataclass(frozen=True)
class Shell:
    """An interactive shell: how to start it and the name its process shows."""

    name: str
    argv: tuple[str, ...]
    command_name: str
    read_failure_status: int  # how it exits when its terminal is hung up under its prompt


DASH = Shell("dash", ("sh", "-i"), "sh", 2)
BUSYBOX_ASH = Shell("busybox-ash", ("busybox", "sh", "-i"), "busybox", 0)
BASH = Shell("bash", ("bash", "--norc", "--noprofile", "-i"), "bash", 0)
SHELLS = [DASH, BUSYBOX_ASH, BASH]
SHELL_ENVIRONMENT = {"PS1": PROMPT, "TERM": "dumb", "HISTFILE": "/dev/null", "ENV": None}


class PtySession:
    """A launcher started with a new pty as stdin, stdout and stderr (its only copy is kept as the
    master side here), in a new session of its own without a controlling terminal."""

    def __init__(self, argv: Sequence[str], environment: Mapping[str, str], cwd: Path) -> None:
        master, slave = os.openpty()
        termios.tcsetwinsize(slave, (ROWS, COLUMNS))
        self.master: int | None = master
        self.raw = ""  # everything the terminal showed
        self.transcript = ""  # the same without the init's -v event lines, which interleave
        self._position = 0
        self._marker = 0
        self.eof = False
        try:
            self.process = subprocess.Popen(
                list(argv),
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=dict(environment),
                cwd=cwd,
                start_new_session=True,
            )
        finally:
            os.close(slave)

    # Screen text ---------------------------------------------------------------------------

    def _read_some(self, timeout: float) -> None:
        if self.master is None or self.eof:
            time.sleep(timeout)
            return
        readable, _, _ = select.select([self.master], [], [], timeout)
        if not readable:
            return
        try:
            data = os.read(self.master, 65536)
        except OSError:  # EIO once every slave descriptor is closed
            data = b""
        if not data:
            self.eof = True
        text = data.decode(errors="replace").replace("\r", "")
        self.raw += CONTROL_SEQUENCE.sub("", text)
        self.transcript = INIT_EVENT_LINE.sub("", self.raw)
        self._position = min(self._position, len(self.transcript))

    def tail(self) -> str:
        return self.raw[-TRANSCRIPT_TAIL:]

    def expect(self, pattern: str, timeout: float = START_TIMEOUT) -> re.Match[str]:
        """The first match of the regex `pattern` in screen text not consumed yet."""
        expression = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            match = expression.search(self.transcript, self._position)
            if match:
                self._position = match.end()
                return match
            if self.eof or time.monotonic() > deadline:
                state = "the terminal closed" if self.eof else f"{timeout} s passed"
                pytest.fail(f"{state} before {pattern!r} appeared; screen:\n{self.tail()}")
            self._read_some(0.05)

    def settle(self, seconds: float) -> None:
        """Keep reading screen text for `seconds` (so the programs never block on a full pty)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._read_some(max(0.0, min(0.05, deadline - time.monotonic())))

    # Keystrokes ----------------------------------------------------------------------------

    def type(self, text: str | bytes) -> None:
        assert self.master is not None, "the terminal was hung up"
        os.write(self.master, text.encode() if isinstance(text, str) else text)

    def line(self, text: str) -> None:
        """Type a command line once the shell waits at its prompt (busybox's line editing drops
        keys typed ahead of its prompt)."""
        self.wait_for_prompt()
        self.type(text + "\r")

    def wait_for_prompt(self, timeout: float = START_TIMEOUT) -> None:
        """Read until the screen ends with the prompt and nothing more comes for a moment."""
        deadline = time.monotonic() + timeout
        while True:
            before = len(self.transcript)
            self._read_some(PROMPT_QUIET_SECONDS)
            if len(self.transcript) == before and self.transcript.endswith(PROMPT):
                return
            if self.eof or time.monotonic() > deadline:
                pytest.fail(f"no prompt within {timeout} s; screen:\n{self.tail()}")

    def run(self, command: str, timeout: float = START_TIMEOUT) -> str:
        """Type `command` followed by an echo of a fresh marker; return what it printed. The marker
        is computed by the shell, so the echoed keystrokes never match it."""
        self._marker += 1
        number = self._marker
        start = self._position
        self.line(f'{command}; echo "<<$(({number}*1000+7))>>"')
        end = self.expect(rf"<<{number * 1000 + 7}>>", timeout)
        return self.transcript[start : end.start()]

    def answers(self, timeout: float = START_TIMEOUT) -> None:
        """Fail unless the shell runs a typed command and prints its answer."""
        self.run(":", timeout)

    def exit_status_of(self, command: str) -> int:
        """`$?` after `command`, as the shell reports it."""
        self._marker += 1
        tag = f"st{self._marker}"
        self.line(f'{command}; echo "{tag}=$?/"')
        return int(self.expect(rf"{tag}=(\d+)/")[1])

    # Ending --------------------------------------------------------------------------------

    def hang_up(self) -> None:
        """Close the master side: the kernel hangs the terminal up."""
        if self.master is not None:
            os.close(self.master)
            self.master = None

    def wait(self, timeout: float) -> int:
        """The launcher's exit code once it exits (reading screen text meanwhile)."""
        deadline = time.monotonic() + timeout
        while self.process.poll() is None:
            if time.monotonic() > deadline:
                pytest.fail(f"the launcher did not exit within {timeout} s; screen:\n{self.tail()}")
            self._read_some(0.02)
        self.settle(0.0)
        return self.process.returncode

    def close(self, kill_tagged: Callable[[], None]) -> None:
        kill_tagged()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(START_TIMEOUT)
        self.hang_up()


def child_running(parent: int, command_name: str) -> int:
    """The first child of `parent` whose command name is `command_name`, once there is one."""
    found: list[int] = []

    def present() -> bool:
        found[:] = [
            pid for pid in procfs.children(parent) if procfs.command_name(pid) == command_name[:15]
        ]
        return bool(found)

    wait_until(present, f"a child of {parent} running {command_name}")
    return found[0]


def descendant_running(ancestor: int, command_name: str) -> int:
    """A live process below `ancestor` running `command_name` (e.g. sleep), once there is one."""
    found: list[int] = []

    def present() -> bool:
        found[:] = [
            pid
            for pid in procfs.descendants(ancestor)
            if procfs.command_name(pid) == command_name[:15] and procfs.is_alive(pid)
        ]
        return bool(found)

    wait_until(present, f"a process below {ancestor} running {command_name}")
    return found[0]
