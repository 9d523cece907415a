"""Reaping as PID 1: orphans made in a new PID namespace; time to the init's exit, peak zombies."""

import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TypedDict

from mini_init_tools.bench.contenders import Contender, round_robin
from mini_init_tools.bench.summary import Summary, summarize
from mini_init_tools.errors import ToolError

MAKE_ORPHANS = Path(__file__).parent / "helpers" / "make_orphans.py"
SAMPLE_INTERVAL_SECONDS = 0.005
START_TIMEOUT_SECONDS = 10.0
RUN_TIMEOUT_SECONDS = 300.0


def _children(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []  # gone, or a zombie: it has no children any more


def _is_zombie(pid: str) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return False  # reaped between listing and reading
    return stat[stat.rindex(b")") + 2 :][:1] == b"Z"


def count_zombies(init_pid: int) -> int:
    """Zombies among the init's descendants, walked through the host's /proc `children` files.

    Every process of the init's PID namespace descends from it. Walking the tree reads a few
    files; scanning all of /proc for the namespace's `ns/pid` link slowed the helper by half.
    """
    count = 0
    pending = [str(init_pid)]
    while pending:
        children = _children(int(pending.pop()))
        zombies = [child for child in children if _is_zombie(child)]
        count += len(zombies)
        pending.extend(child for child in children if child not in zombies)
    return count


class ZombieSampler(threading.Thread):
    """Counts the init's zombie descendants every few milliseconds until stopped; keeps the peak."""

    def __init__(self, init_pid: int) -> None:
        super().__init__(daemon=True)
        self.init_pid = init_pid
        self.peak = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(SAMPLE_INTERVAL_SECONDS):
            self.peak = max(self.peak, count_zombies(self.init_pid))


def _init_pid(unshare: subprocess.Popen[bytes]) -> int | None:
    """The init's host PID: the one child of `unshare --fork`; None if everything already exited."""
    children = Path(f"/proc/{unshare.pid}/task/{unshare.pid}/children")
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline and unshare.poll() is None:
        try:
            pids = children.read_text().split()
        except OSError:
            return None
        if pids:
            return int(pids[0])
        time.sleep(0.001)
    return None


class ReapingRun(TypedDict):
    """One run: start to the init's exit, last orphan made to the exit, and the peak zombies."""

    seconds: float
    drain_seconds: float
    peak_zombies: int


def reap_once(contender: Contender, orphans: int) -> ReapingRun:
    """Run the init as PID 1 of a new namespace over a helper that makes `orphans` orphans."""
    command = [
        "unshare",
        "--pid",
        "--fork",
        "--mount-proc",
        *contender.command(sys.executable, "-I", "-S", str(MAKE_ORPHANS), str(orphans)),
    ]
    start = time.monotonic_ns()
    unshare = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    init_pid = _init_pid(unshare)
    sampler = ZombieSampler(init_pid) if init_pid else None
    if sampler:
        sampler.start()
    try:
        output, errors = unshare.communicate(timeout=RUN_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        unshare.kill()
        raise ToolError(
            f"{contender.name} did not exit within {RUN_TIMEOUT_SECONDS:.0f} s of {orphans} orphans"
        ) from None
    end = time.monotonic_ns()
    if sampler:
        sampler.stopped.set()
        sampler.join()
    if unshare.returncode != 0 or not output.split():
        reason = (
            errors.decode(errors="replace").strip().splitlines() or [f"exit {unshare.returncode}"]
        )[-1]
        raise ToolError(f"{contender.name} as PID 1 with {orphans} orphans failed: {reason}")
    last_orphan_made = int(output.split()[-1])
    return ReapingRun(
        seconds=(end - start) / 1e9,
        drain_seconds=(end - last_orphan_made) / 1e9,
        peak_zombies=sampler.peak if sampler else 0,
    )


class ReapingResult(TypedDict):
    """Every run of one init at one orphan count, and summaries of each figure."""

    runs: list[ReapingRun]
    seconds: Summary
    drain_seconds: Summary
    peak_zombies: Summary


def measure_reaping(
    contenders: list[Contender], orphans: int, runs: int
) -> dict[str, ReapingResult]:
    """`runs` runs per init at one orphan count, interleaved."""
    results: dict[str, list[ReapingRun]] = {contender.name: [] for contender in contenders}
    for contender in round_robin(contenders, runs):
        results[contender.name].append(reap_once(contender, orphans))
    return {
        name: ReapingResult(
            runs=runs_of_init,
            seconds=summarize([run["seconds"] for run in runs_of_init]),
            drain_seconds=summarize([run["drain_seconds"] for run in runs_of_init]),
            peak_zombies=summarize([run["peak_zombies"] for run in runs_of_init]),
        )
        for name, runs_of_init in results.items()
    }
