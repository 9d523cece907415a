"""Faults around PID 1 (issue 9): exec'd visitors, a stalled log reader, early SIGPIPE, EPERM."""

import fcntl
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from mini_init_tools.abi_table import ARCHITECTURES

from . import procfs
from .conftest import InitBinaries, require_emulation
from .contract_text import NOT_REAPING, cannot_send, start_warnings, token_warning, warning
from .harness import (
    EVENT_LINE,
    ONLY_AS_CHILD,
    ONLY_AS_PID1,
    START_TIMEOUT,
    TIMER_SLACK,
    Finished,
    InitLauncher,
    Target,
    python_helper,
    wait_until,
)
from .launch_variants import WrappedTarget

NSENTER = shutil.which("nsenter") or "/usr/bin/nsenter"
SETPRIV = shutil.which("setpriv") or "/usr/bin/setpriv"
NOBODY = 65534
APP_EXIT_CODE = 3
ORPHAN_APP_EXIT_CODE = 42
BURSTS_TIMEOUT = 180.0  # forking ten thousand processes on two busy cores
REAP_TIMEOUT = 30.0


# (a) A process that entered the PID namespace from outside (docker exec, nsenter) -------------


@ONLY_AS_PID1
def test_exec_visitor_gets_term_and_time_to_flush_when_the_app_exits(
    mini_init: InitLauncher,
) -> None:
    """The visitor is nobody's child in the namespace: only the drain's kill(-1) reaches it."""
    workdir = mini_init.workdir
    ready, flushed = workdir / "visitor-ready", workdir / "flushed"
    app = f'while [ ! -e "{ready}" ]; do sleep 0.05; done; sleep 0.2; exit {APP_EXIT_CODE}'
    run = mini_init.start(["sh", "-c", app], options=["-v"], env={"EP_GRACE_SECONDS": "5"})
    visitor_script = (
        f'trap \'sleep 0.5; echo flushed > "{flushed}"; exit 0\' TERM; touch "{ready}";'
        " while :; do sleep 0.05; done"
    )
    visitor = subprocess.Popen(
        [NSENTER, f"--pid=/proc/{run.init_pid}/ns/pid", "--", "sh", "-c", visitor_script],
        env=mini_init.environment({}),
        start_new_session=True,
    )
    try:
        wait_until(ready.exists, "the visitor to trap TERM")
        finished = run.wait()
        visitor_status = visitor.wait(START_TIMEOUT)
    finally:
        if visitor.poll() is None:
            visitor.kill()
            visitor.wait()

    assert finished.exit_code == APP_EXIT_CODE
    assert flushed.read_text() == "flushed\n"
    assert visitor_status == 0  # it exited on its own; the namespace's end would SIGKILL it
    assert "event=drain sig=15" in finished.event_texts
    drained_at = finished.event("event=drain").seconds
    assert finished.ended_at - drained_at < 5 - 0.5, "the init waited for the deadline"


# (b) A log reader that does not read ---------------------------------------------------------


class StalledPipe:
    """A pipe given to the init as stderr, kept full; the test holds the read end."""

    def __init__(self) -> None:
        self.read_end, self.write_end = os.pipe()
        self.capacity = fcntl.fcntl(self.write_end, fcntl.F_GETPIPE_SZ)
        os.set_blocking(self.read_end, False)  # the read end's description is the test's alone
        self.fill()
        self.nonblocking_seen = False
        self._sampling = threading.Event()
        self._sampler = threading.Thread(target=self._sample_flags, daemon=True)

    def fill(self) -> None:
        """Fill the (empty) pipe with one blocking write of exactly its capacity."""
        os.write(self.write_end, b"x" * self.capacity)

    def become_stderr(self) -> None:
        """`before_exec` of the launcher: the pipe's write end becomes its stderr."""
        os.dup2(self.write_end, 2)

    def drain(self) -> bytes:
        data = b""
        while True:
            try:
                chunk = os.read(self.read_end, 65536)
            except BlockingIOError:
                return data
            if not chunk:
                return data
            data += chunk

    def read_line(self, timeout: float = START_TIMEOUT) -> str:
        data = b""
        deadline = time.monotonic() + timeout
        while not data.endswith(b"\n"):
            if time.monotonic() > deadline:
                pytest.fail(f"no full line on the stalled pipe within {timeout} s: {data!r}")
            select.select([self.read_end], [], [], 0.05)
            try:
                data += os.read(self.read_end, 1)
            except BlockingIOError:
                continue
        return data.decode()

    def _sample_flags(self) -> None:
        """The write end's file description is the one the init and the app share."""
        while not self._sampling.is_set():
            if fcntl.fcntl(self.write_end, fcntl.F_GETFL) & os.O_NONBLOCK:
                self.nonblocking_seen = True
            time.sleep(0.0005)

    def start_sampling(self) -> None:
        self._sampler.start()

    def stop_sampling(self) -> None:
        self._sampling.set()
        self._sampler.join()

    def close(self) -> None:
        for descriptor in (self.read_end, self.write_end):
            os.close(descriptor)


@pytest.fixture
def stalled_pipe() -> Iterator[StalledPipe]:
    pipe = StalledPipe()
    yield pipe
    if pipe._sampler.is_alive():
        pipe.stop_sampling()
    pipe.close()


@pytest.mark.parametrize(
    "orphans", [1500, pytest.param(10_000, marks=pytest.mark.slow)], ids=["1500", "10000"]
)
@pytest.mark.slow
def test_stalled_log_reader_blocks_neither_reaping_nor_signals_nor_the_app(
    target: Target, mini_init: InitLauncher, stalled_pipe: StalledPipe, orphans: int
) -> None:
    stalled_pipe.start_sampling()
    run = mini_init.start(
        python_helper("orphan_bursts.py", mini_init.workdir, orphans, 500, 0, ORPHAN_APP_EXIT_CODE),
        options=["-v"],
        env={"EP_GRACE_SECONDS": "5", "EP_SUBREAPER": None if target.as_pid1 else "1"},
        before_exec=stalled_pipe.become_stderr,
    )
    app = run.main_child()
    wait_until((mini_init.workdir / "done").exists, "the app to make its orphans", BURSTS_TIMEOUT)
    # Every orphan has exited and been reaped (not only: no zombie left yet), so all their reap
    # events were dropped before the count is read.
    wait_until(
        lambda: procfs.descendants(run.init_pid) == [app],
        "every orphan to exit and be reaped while nobody reads the log",
        REAP_TIMEOUT,
    )

    # Nothing was written while the pipe was full: not even part of a line.
    assert stalled_pipe.drain() == b"x" * stalled_pipe.capacity
    run.send(signal.SIGWINCH)
    line = stalled_pipe.read_line().rstrip("\n")
    assert EVENT_LINE.fullmatch(line), line
    assert line.endswith(f" event=signal action=forward sig=28 dropped={orphans + 2}"), line

    stalled_pipe.fill()  # stalled again
    sent_at = time.monotonic()
    run.send(signal.SIGTERM)
    finished = run.wait(START_TIMEOUT)

    assert finished.exit_code == 128 + signal.SIGTERM
    assert finished.ended_at - sent_at < 5, "the init waited for its grace period"
    stalled_pipe.stop_sampling()
    assert not stalled_pipe.nonblocking_seen, "O_NONBLOCK was set on the shared stderr"


# (c) SIGPIPE before the init is set up ------------------------------------------------------

EARLY_WRITERS = [
    pytest.param({"EP_GRACE_SECONDS": "abc"}, [], id="invalid-grace"),
    pytest.param({"EP_SIGNALS": "FOO"}, [], id="bad-signal-token"),
    pytest.param({"EP_REWRITE": "15:FOO"}, [], id="bad-rewrite-token"),
    pytest.param({"EP_SIGRTMIN": "abc"}, ["-v"], id="invalid-rtmin-verbose"),
]


@pytest.mark.parametrize(("env", "options"), EARLY_WRITERS)
def test_warning_into_a_broken_pipe_at_start_does_not_kill_the_init(
    mini_init: InitLauncher, env: dict[str, str], options: list[str]
) -> None:
    ran = mini_init.workdir / "app-ran"
    run = mini_init.start(
        ["sh", "-c", f'touch "{ran}"; exit 7'], options=options, env=env, stderr="broken-pipe"
    )

    assert run.wait().exit_code == 7
    assert ran.exists()


@pytest.mark.parametrize(
    "arguments",
    [["-x", "--", "true"], ["-e", "300", "--", "true"], ["-e"], []],
    ids=["unknown-option", "invalid-value", "missing-value", "no-command"],
)
def test_usage_error_into_a_broken_pipe_still_exits_2(
    mini_init: InitLauncher, arguments: list[str]
) -> None:
    run = mini_init.start_with_arguments(
        arguments, env={"EP_GRACE_SECONDS": "abc"}, stderr="broken-pipe"
    )

    assert run.wait().exit_code == 2


# (d) Bounded exit under a subreaper that never reaps ----------------------------------------


@ONLY_AS_CHILD
def test_unreaped_leftover_ends_in_a_bounded_exit_with_one_warning(
    target: Target, mini_init: InitLauncher
) -> None:
    mini_init.target = WrappedTarget(
        target.arch, target.binary, as_pid1=False, parent_helper="lazy_subreaper.py"
    )
    started_at = time.monotonic()
    run = mini_init.start(
        ["sh", "-c", "sleep 0.2 & exit 0"], options=["-v"], env={"EP_GRACE_SECONDS": "1"}
    )
    finished = run.wait(1 + 1 + 10)

    group = finished.event("event=spawn").fields["pid"]
    assert finished.exit_code == 0
    assert finished.messages == [
        NOT_REAPING,  # the lazy parent is not PID 1
        warning(f"leaving processes of process group {group}"),
    ]
    # The drain's grace second, then one more after its SIGKILL; the app itself exits at once.
    assert 1 + 1 - 0.1 <= finished.ended_at - started_at <= 1 + 1 + TIMER_SLACK + 1


# (e) A target the unprivileged init may not signal ------------------------------------------


@pytest.fixture
def root_only_directory() -> Iterator[Path]:
    """A root-owned directory others may read, on a filesystem that honours setuid."""
    directory = Path(tempfile.mkdtemp(prefix="mini-init-setuid-"))
    directory.chmod(0o755)
    yield directory
    shutil.rmtree(directory)


def make_setuid_root_runner(directory: Path) -> Path:
    """A setuid-root copy of setpriv: run as nobody, it sets all its uids to 0, then execs."""
    runner = directory / "become-root"
    shutil.copy(SETPRIV, runner)
    runner.chmod(0o4755)
    return runner


@pytest.mark.slow
@pytest.mark.parametrize("single_child", [False, True], ids=["group", "single-child"])
def test_signals_the_unprivileged_init_may_not_send_warn_and_are_not_logged_as_sent(
    target: Target, mini_init: InitLauncher, root_only_directory: Path, single_child: bool
) -> None:
    copy = root_only_directory / "mini-init"
    shutil.copy(target.binary, copy)
    copy.chmod(0o755)
    runner = make_setuid_root_runner(root_only_directory)
    as_nobody = (SETPRIV, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups")
    mini_init.target = WrappedTarget(target.arch, copy, target.as_pid1, wrapper=as_nobody)
    root_app = [str(runner), "--reuid=0", "--regid=0", "--clear-groups", "sleep", "3"]
    run = mini_init.start(
        root_app, options=["-v", *(["-c"] if single_child else [])], env={"EP_GRACE_SECONDS": "1"}
    )
    app = run.main_child("sleep")
    assert procfs.is_alive(app)
    run.send(signal.SIGTERM)
    finished = run.wait()

    child = finished.event("event=spawn").fields["pid"]
    who = f"pid {child}" if single_child else f"process group {child}"
    assert finished.exit_code == 0  # the root sleep ran its 3 s
    assert finished.messages == [
        *start_warnings(target.as_pid1),
        cannot_send(signal.SIGTERM, who),
        cannot_send(signal.SIGKILL, who),
    ]
    assert "event=signal action=forward sig=15" not in finished.event_texts
    assert not finished.events_starting("event=escalate")


# (f) The architectures agree byte for byte ---------------------------------------------------

LONG_INVALID_GRACE = "7" * 451 + "s"  # not a number: invalid, not too large
LONG_LETTERS_GRACE = "x" * 452
HUGE_GRACE = "x" * 5000  # longer than any line: the value is cut, the end of the line is kept
LINE_MAX_BYTES = 1024


def stderr_of_every_architecture(
    init_binaries: InitBinaries, tmp_path: Path, env: dict[str, str]
) -> dict[str, bytes]:
    outputs: dict[str, bytes] = {}
    for arch in ARCHITECTURES:
        require_emulation(arch)
        launcher = InitLauncher(Target(arch, init_binaries.path(arch), True), tmp_path / arch)
        (tmp_path / arch).mkdir()
        try:
            finished: Finished = launcher.run(["true"], env=env)
        finally:
            launcher.kill_everything()
        assert finished.exit_code == 0, (arch, finished.stderr)
        outputs[arch] = finished.stderr.encode()
    return outputs


@pytest.mark.every_architecture
def test_a_huge_value_is_cut_and_its_line_still_says_what_is_used(
    init_binaries: InitBinaries, tmp_path: Path
) -> None:
    outputs = stderr_of_every_architecture(init_binaries, tmp_path, {"EP_GRACE_SECONDS": HUGE_GRACE})

    assert len(set(outputs.values())) == 1, outputs
    line = outputs[ARCHITECTURES[0]].decode()
    assert line.startswith(warning("EP_GRACE_SECONDS='xxx"))
    assert line.endswith("xxx' is invalid, using 10\n")
    assert len(line.encode()) <= LINE_MAX_BYTES


@pytest.mark.every_architecture
@pytest.mark.parametrize(
    ("env", "expected"),
    [
        pytest.param(
            {"EP_SIGNALS": "RT, RTx"},
            f"{token_warning('EP_SIGNALS', 'RT', 'is not a signal')}\n"
            f"{token_warning('EP_SIGNALS', 'RTx', 'is not a signal')}\n",
            id="rt-tokens-without-range",
        ),
        pytest.param(
            {"EP_GRACE_SECONDS": LONG_INVALID_GRACE},
            f"{warning(f'EP_GRACE_SECONDS={LONG_INVALID_GRACE!r} is invalid, using 10')}\n",
            id="452-character-grace",
        ),
        pytest.param(
            {"EP_GRACE_SECONDS": LONG_LETTERS_GRACE},
            f"{warning(f'EP_GRACE_SECONDS={LONG_LETTERS_GRACE!r} is invalid, using 10')}\n",
            id="452-letter-grace",
        ),
    ],
)
def test_every_architecture_prints_the_same_exact_warning(
    init_binaries: InitBinaries, tmp_path: Path, env: dict[str, str], expected: str
) -> None:
    outputs = stderr_of_every_architecture(init_binaries, tmp_path, env)

    assert len(set(outputs.values())) == 1, outputs
    assert outputs[ARCHITECTURES[0]].decode() == expected
