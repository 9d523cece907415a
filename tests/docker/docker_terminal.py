"""The Docker client on a real pseudo-terminal (pexpect): `docker run -it`, `docker attach`, typed
keys, the window size, and the shell prompt and answers read back from the screen."""

import contextlib
import io
import itertools
import re
import subprocess

import pexpect
from mini_init_tools.docker_cli import DOCKER

# The shells' prompt (PS1 passed with -e): no shell prints it but as a prompt.
PROMPT = "mi-tty$ "
ROWS, COLUMNS = 40, 120
# A shell answers within this; a container starts within it (QEMU included).
ANSWER_TIMEOUT_SECONDS = 30.0
SCREEN_TAIL = 2500
CTRL_C = "\x03"
CTRL_Z = "\x1a"
DETACH_KEYS = "\x10\x11"  # Ctrl-P Ctrl-Q, Docker's default detach sequence


class DockerTerminal:
    """The Docker CLI started with `arguments` on a new pty of ROWS x COLUMNS."""

    _markers = itertools.count(1)

    def __init__(self, arguments: list[str]) -> None:
        self.arguments = arguments
        self.client = pexpect.spawn(
            DOCKER,
            arguments,
            encoding="utf-8",
            codec_errors="replace",
            dimensions=(ROWS, COLUMNS),
            timeout=ANSWER_TIMEOUT_SECONDS,
        )
        self.transcript = io.StringIO()
        self.client.logfile_read = self.transcript

    def shown(self) -> str:
        """Everything the client has shown so far (as far as read), carriage returns removed."""
        return self.transcript.getvalue().replace("\r", "")

    def screen(self) -> str:
        """The end of what the client has shown, for failure messages."""
        return self.shown()[-SCREEN_TAIL:]

    def _failure(self, what: str) -> AssertionError:
        return AssertionError(
            f"{what}; `docker {' '.join(self.arguments)}` showed:\n{self.screen()}"
        )

    def expect(self, pattern: str, timeout: float = ANSWER_TIMEOUT_SECONDS) -> re.Match[str]:
        """The first match of the regex `pattern` in what the client shows next."""
        try:
            self.client.expect(pattern, timeout=timeout)
        except pexpect.EOF:
            raise self._failure(f"the client exited before {pattern!r} appeared") from None
        except pexpect.TIMEOUT:
            raise self._failure(f"{pattern!r} did not appear within {timeout} s") from None
        match = self.client.match
        assert isinstance(match, re.Match)
        return match

    def wait_for_prompt(self, timeout: float = ANSWER_TIMEOUT_SECONDS) -> str:
        """Read up to the next prompt; what came before it."""
        self.expect(re.escape(PROMPT), timeout)
        return str(self.client.before)

    def type(self, keys: str) -> None:
        self.client.send(keys)

    def line(self, text: str) -> None:
        """Type a command line (the shell waits at its prompt: busybox drops keys typed ahead)."""
        self.client.send(text + "\r")

    def run(self, command: str, timeout: float = ANSWER_TIMEOUT_SECONDS) -> str:
        """Type `command` at the prompt, followed by an echo of a marker the shell computes (the
        echoed keys never match it); what the command printed. Leaves the shell at its prompt."""
        number = next(self._markers) * 1000 + 7
        typed = f'{command}; echo "<<$(({number - 7}+7))>>"'
        self.line(typed)
        self.expect(rf"<<{number}>>", timeout)
        printed = str(self.client.before).replace("\r", "")
        self.wait_for_prompt(timeout)
        # The output starts on the line after the echo of the typed line (a prompt redrawn before
        # it, after a window resize say, is not output); with `stty -echo` there is no echo.
        if typed not in printed:
            return printed
        after_echo = printed[printed.rfind(typed) + len(typed) :]
        return after_echo.split("\n", 1)[1] if "\n" in after_echo else ""

    def answers(self) -> bool:
        """The shell runs a typed command and answers."""
        return "answer=42" in self.run('echo "answer=$((40+2))"')

    def resize(self, rows: int, columns: int) -> None:
        """Set the window size of the pty the client runs on: the client sends it to the container."""
        self.client.setwinsize(rows, columns)

    def wait_for_exit(self, timeout: float = ANSWER_TIMEOUT_SECONDS) -> int:
        """The client's exit status once it ends (reading what it shows meanwhile)."""
        try:
            self.client.expect(pexpect.EOF, timeout=timeout)
        except pexpect.TIMEOUT:
            raise self._failure(f"the client did not exit within {timeout} s") from None
        self.client.close()
        status = self.client.exitstatus
        assert status is not None, f"the client died by signal {self.client.signalstatus}"
        return int(status)

    def close(self) -> None:
        """End the client (it is only a client: the container is removed by name elsewhere)."""
        with contextlib.suppress(Exception):
            self.client.close(force=True)


def remove_container(name: str) -> None:
    """`docker rm -f NAME`, quietly: the container may be gone already."""
    subprocess.run(
        [DOCKER, "rm", "-f", name], capture_output=True, timeout=60, check=False
    )
