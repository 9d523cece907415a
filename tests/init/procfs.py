"""Process facts read from /proc: children, state, group, signal sets, descriptors, CPU time, and
the timeout of the ppoll a process waits in."""

import math
import os
import struct
from pathlib import Path

from mini_init_tools.abi_table import SYSCALLS
from mini_init_tools.platforms import NATIVE_ARCH

PROC = Path("/proc")
CLOCK_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
# ppoll's number on the host: an emulated init's ppoll is made by QEMU as the host's own syscall.
PPOLL_SYSCALL = SYSCALLS["ppoll"][NATIVE_ARCH]
TIMESPEC = struct.Struct("=qq")  # struct timespec on a 64-bit host: tv_sec, tv_nsec


def _stat_fields(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name: [0] state, [1] ppid, [2] pgrp, ..."""
    text = (PROC / str(pid) / "stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def state(pid: int) -> str | None:
    """One-letter state (R, S, D, T, t, Z, ...), or None when the process is gone."""
    try:
        return _stat_fields(pid)[0]
    except (OSError, ValueError):
        return None


def is_alive(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    return state(pid) not in (None, "Z", "X")


def is_stopped(pid: int) -> bool:
    """True when the process is stopped by a signal or traced."""
    return state(pid) in ("T", "t")


def parent(pid: int) -> int:
    return int(_stat_fields(pid)[1])


def group_and_session(pid: int) -> tuple[int, int]:
    fields = _stat_fields(pid)
    return int(fields[2]), int(fields[3])


def command_name(pid: int) -> str:
    """The comm of a process ('' when it is gone)."""
    try:
        return (PROC / str(pid) / "comm").read_text().strip()
    except OSError:
        return ""


def is_in_nanosleep(pid: int) -> bool:
    """True once a process such as `sleep` is blocked in its sleep, past its start-up."""
    try:
        return "nanosleep" in (PROC / str(pid) / "wchan").read_text()
    except OSError:
        return False


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of the whole process (all threads), in seconds."""
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS_PER_SECOND


def children(pid: int) -> list[int]:
    """Direct children of a process in creation order, over all its threads (QEMU adds threads)."""
    found: list[int] = []
    for task in sorted((PROC / str(pid) / "task").glob("*")):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return list(dict.fromkeys(found))


def _status_field(pid: int, name: str) -> str:
    for line in (PROC / str(pid) / "status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key == name:
            return value.strip()
    raise KeyError(f"{name} not in /proc/{pid}/status")


def _signals_in_mask(hex_mask: str) -> set[int]:
    mask = int(hex_mask, 16)
    return {bit + 1 for bit in range(64) if mask >> bit & 1}


def blocked_signals(pid: int) -> set[int]:
    return _signals_in_mask(_status_field(pid, "SigBlk"))


def ignored_signals(pid: int) -> set[int]:
    return _signals_in_mask(_status_field(pid, "SigIgn"))


def open_descriptors(pid: int) -> list[int]:
    return sorted(int(fd) for fd in os.listdir(PROC / str(pid) / "fd"))


def namespace_pid(pid: int) -> int:
    """The PID a process has in its own (innermost) PID namespace."""
    return int(_status_field(pid, "NSpid").split()[-1])


def ppoll_timeout(pid: int) -> float | None:
    """The timeout, in seconds, that a thread of the process passed to the ppoll it is blocked in
    (math.inf for none), or None while no thread of it is blocked in ppoll.

    ppoll reads its timeout when it starts waiting and writes the time left only when it returns,
    so this is the timer the process set for this wait, read from its memory."""
    for task in sorted((PROC / str(pid) / "task").glob("*")):
        try:
            fields = (task / "syscall").read_text().split()
        except OSError:
            continue
        # "number arg1 ... arg6 sp pc" while blocked in a syscall; "running" or "-1 ..." otherwise
        if not fields or fields[0] != str(PPOLL_SYSCALL):
            continue
        address = int(fields[3], 16)
        if address == 0:
            return math.inf
        try:
            with open(PROC / str(pid) / "mem", "rb") as memory:
                memory.seek(address)
                seconds, nanoseconds = TIMESPEC.unpack(memory.read(TIMESPEC.size))
        except OSError:
            return None
        return float(seconds) + float(nanoseconds) / 1e9
    return None


def _parents_of_all_processes() -> dict[int, int]:
    parents: dict[int, int] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = parent(int(entry.name))
            except (OSError, ValueError):
                continue
    return parents


def descendants(pid: int) -> list[int]:
    """Every process below `pid` in the process tree (zombies included)."""
    by_parent: dict[int, list[int]] = {}
    for child, its_parent in _parents_of_all_processes().items():
        by_parent.setdefault(its_parent, []).append(child)
    found: list[int] = []
    pending = list(by_parent.get(pid, []))
    while pending:
        child = pending.pop()
        found.append(child)
        pending += by_parent.get(child, [])
    return found


def zombie_descendants(pid: int) -> list[int]:
    return [child for child in descendants(pid) if state(child) == "Z"]


def processes_with_environment_entry(entry: str) -> list[int]:
    """PIDs whose initial environment holds exactly `entry` (NAME=value)."""
    wanted = entry.encode()
    found: list[int] = []
    for directory in PROC.iterdir():
        if not directory.name.isdigit():
            continue
        try:
            environment = (directory / "environ").read_bytes()
        except OSError:
            continue
        if wanted in environment.split(b"\0"):
            found.append(int(directory.name))
    return found
