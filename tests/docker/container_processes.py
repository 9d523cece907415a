"""A container's processes as the host's /proc shows them: argv (without the QEMU interpreter an
emulated process runs under), state, process group and its terminal's foreground group, all as host
PIDs. Used to see a job stopped, resumed or in the foreground without asking the shell."""

import time
from collections.abc import Callable
from dataclasses import dataclass

from container_checks import init_argv
from host_proc import PROC, processes_in_namespace

FIND_TIMEOUT_SECONDS = 30.0
POLL_SECONDS = 0.05
STOPPED_STATES = ("T", "t")


@dataclass(frozen=True)
class ContainerProcess:
    """One process of a container, read from the host's /proc/<pid>/stat and cmdline."""

    pid: int
    argv: tuple[str, ...]
    state: str
    process_group: int
    foreground_group: int  # tpgid: the foreground group of its controlling terminal, -1 if none

    @property
    def in_foreground(self) -> bool:
        return self.foreground_group == self.process_group

    @property
    def stopped(self) -> bool:
        return self.state in STOPPED_STATES


def read_process(pid: int) -> ContainerProcess | None:
    """The process now, or None once it is gone (or a zombie: it has no argv left)."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
        cmdline = (PROC / str(pid) / "cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    # After the name: state, ppid, pgrp, session, tty_nr, tpgid (proc(5) fields 3 to 8).
    argv = tuple(init_argv(cmdline))
    if not argv:
        return None
    return ContainerProcess(pid, argv, fields[0], int(fields[2]), int(fields[5]))


def find_process(
    namespace: str, argv_tail: tuple[str, ...], timeout: float = FIND_TIMEOUT_SECONDS
) -> ContainerProcess:
    """The live process of the PID namespace whose argv ends with `argv_tail`, once there is one."""
    deadline = time.monotonic() + timeout
    while True:
        for candidate in processes_in_namespace(namespace):
            found = read_process(candidate.pid)
            if found and found.argv[-len(argv_tail) :] == argv_tail:
                return found
        if time.monotonic() > deadline:
            raise AssertionError(f"no process {' '.join(argv_tail)!r} within {timeout:.0f} s")
        time.sleep(POLL_SECONDS)


def wait_until_process(
    pid: int,
    condition: Callable[[ContainerProcess | None], bool],
    what: str,
    timeout: float = FIND_TIMEOUT_SECONDS,
) -> ContainerProcess | None:
    """Poll process `pid` (None once gone) until `condition` holds; fail naming `what` if it does not
    within `timeout`. The process as last read."""
    deadline = time.monotonic() + timeout
    while True:
        process = read_process(pid)
        if condition(process):
            return process
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f} s (last seen: {process})")
        time.sleep(POLL_SECONDS)
