"""Internal failures: when fork fails the init says so in one line and exits 125, never hangs."""

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from .harness import UNSHARE, InitLauncher, Target, shell_helper, wait_until

PIDS_HIERARCHY = Path("/sys/fs/cgroup/pids")
NOBODY = 65534  # root ignores RLIMIT_NPROC: the limit is tested on an unprivileged user
# Tasks the init needs before its fork: itself, plus QEMU's RCU thread when emulated.
NATIVE_INIT_TASKS, EMULATED_INIT_TASKS = 1, 2
CANNOT_FORK = "mini-init: cannot fork: Resource temporarily unavailable"
FAILURE_TIMEOUT = 10.0


class PidsCgroup:
    """A pids cgroup (v1) the launcher joins before its exec, so the init and its children count."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def join(self) -> None:
        """Move the calling process into the group (used as `before_exec`)."""
        (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def task_count(self) -> int:
        return int((self.path / "pids.current").read_text())

    def allow_tasks(self, count: int) -> None:
        (self.path / "pids.max").write_text(str(count))

    def kill_members(self) -> None:
        for pid in (self.path / "cgroup.procs").read_text().split():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)


@pytest.fixture
def pids_cgroup(mini_init: InitLauncher) -> Iterator[PidsCgroup]:
    if not (PIDS_HIERARCHY / "cgroup.procs").exists():
        pytest.fail(
            f"no pids cgroup v1 hierarchy at {PIDS_HIERARCHY}: these tests need it to make"
            " fork fail",
            pytrace=False,
        )
    group = PidsCgroup(PIDS_HIERARCHY / f"mini-init-test-{uuid.uuid4().hex}")
    group.path.mkdir()
    yield group
    mini_init.kill_everything()  # also reaps the launchers, which count in the group until reaped
    group.kill_members()
    wait_until(lambda: group.task_count() == 0, "the test cgroup to empty")
    group.path.rmdir()


def tasks_of_an_idle_init(mini_init: InitLauncher, pids_cgroup: PidsCgroup) -> int:
    """Tasks the launcher and the init hold in the group (QEMU adds threads), child not counted."""
    run = mini_init.start(["sleep", "30"], before_exec=pids_cgroup.join)
    run.main_child()
    count = pids_cgroup.task_count() - 1
    run.send(signal.SIGTERM)
    run.wait()
    wait_until(lambda: pids_cgroup.task_count() == 0, "the probe run to end")
    return count


def test_fork_failure_at_start_exits_125_with_one_line(
    target: Target, mini_init: InitLauncher, pids_cgroup: PidsCgroup
) -> None:
    pids_cgroup.allow_tasks(tasks_of_an_idle_init(mini_init, pids_cgroup))

    started_at = time.monotonic()
    finished = mini_init.start(["true"], before_exec=pids_cgroup.join).wait(FAILURE_TIMEOUT)

    assert finished.exit_code == 125
    assert finished.stderr_lines == [*target.start_warnings, CANNOT_FORK]
    assert finished.ended_at - started_at < FAILURE_TIMEOUT / 2


def test_fork_failure_at_restart_exits_125_with_one_line(
    target: Target, mini_init: InitLauncher, pids_cgroup: PidsCgroup
) -> None:
    run = mini_init.start(
        shell_helper("crash_counter.sh", mini_init.workdir, 0, "KILL"),
        options=["-v"],
        env={"EP_RESTART_ENABLED": "1", "EP_RESTART_BACKOFF_SECONDS": "1"},
        before_exec=pids_cgroup.join,
    )
    run.wait_for_event("event=restart")

    pids_cgroup.allow_tasks(pids_cgroup.task_count())
    finished = run.wait(FAILURE_TIMEOUT)

    assert finished.exit_code == 125
    assert finished.messages == [*target.start_warnings, CANNOT_FORK]


def tasks_of_user(uid: int) -> int:
    """Threads of every process whose real uid is `uid`: what RLIMIT_NPROC counts for that user."""
    count = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        with contextlib.suppress(OSError):
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines())
            if int(fields["Uid"].split()[0]) == uid:
                count += int(fields["Threads"])
    return count


@pytest.fixture
def binary_for_nobody(target: Target) -> Iterator[Path]:
    """A copy of the init that the unprivileged user can run wherever the checkout lives."""
    directory = Path(tempfile.mkdtemp(prefix="mini-init-nobody-"))
    directory.chmod(0o755)
    copy = directory / "mini-init"
    shutil.copy(target.binary, copy)
    copy.chmod(0o755)
    yield copy
    shutil.rmtree(directory)


def test_fork_failure_under_rlimit_nproc_exits_125_with_one_line(
    target: Target, binary_for_nobody: Path
) -> None:
    limit = tasks_of_user(NOBODY) + (EMULATED_INIT_TASKS if target.emulated else NATIVE_INIT_TASKS)
    as_nobody = ["prlimit", f"--nproc={limit}", "setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}",
                 "--clear-groups", str(binary_for_nobody), "--", "true"]
    command = [UNSHARE, "--pid", "--fork", "--mount-proc", *as_nobody] if target.as_pid1 else as_nobody

    finished = subprocess.run(command, capture_output=True, text=True, timeout=FAILURE_TIMEOUT,
                              check=False)

    assert finished.returncode == 125, finished.stderr
    assert finished.stderr.splitlines() == [*target.start_warnings, CANNOT_FORK]
