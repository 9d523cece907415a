"""What the host's /proc says about a container's processes: zombies by PID namespace and the CPU time
of its init. `container.top()` cannot see zombies (they have left the cgroup), /proc can."""

import os
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
CLOCK_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
ZOMBIE_STATE = "Z"


@dataclass(frozen=True)
class ProcessState:
    """One process as /proc/<pid>/stat describes it."""

    pid: int
    name: str
    state: str
    cpu_seconds: float  # utime + stime


def process_state(pid: int) -> ProcessState:
    """Parse /proc/<pid>/stat; the name is in parentheses and may hold spaces or parentheses."""
    stat = (PROC / str(pid) / "stat").read_text()
    name = stat[stat.index("(") + 1 : stat.rindex(")")]
    fields = stat[stat.rindex(")") + 2 :].split()
    # After the name: state is field 3, utime and stime are fields 14 and 15 (proc(5), 1-based).
    user_ticks, system_ticks = int(fields[11]), int(fields[12])
    return ProcessState(pid, name, fields[0], (user_ticks + system_ticks) / CLOCK_TICKS_PER_SECOND)


def pid_namespace(pid: int) -> str:
    """The pid namespace link of a process (`pid:[4026532…]`); a zombie keeps it."""
    return os.readlink(PROC / str(pid) / "ns" / "pid")


def processes_in_namespace(namespace: str) -> list[ProcessState]:
    """Every process of the host whose pid namespace is `namespace`. Processes that vanish while /proc
    is read are left out, and so are those the host does not let us inspect (its own PID 1 in a
    sandbox): a container's processes are always readable by root."""
    found = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if pid_namespace(int(entry.name)) == namespace:
                found.append(process_state(int(entry.name)))
        except (FileNotFoundError, ProcessLookupError, PermissionError, ValueError):
            continue
    return found


def zombies_in_namespace(namespace: str) -> list[ProcessState]:
    """The zombies (state Z) among the processes of `namespace`."""
    return [process for process in processes_in_namespace(namespace) if process.state == ZOMBIE_STATE]
