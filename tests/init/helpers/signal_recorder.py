"""App that records every listed signal it and its forked grandchildren receive as a marker file."""

# usage: signal_recorder.py DIR GRANDCHILDREN [--leader-stays] SIGNAL...
#
# The process forks GRANDCHILDREN copies of itself (same process group). Each one writes
# DIR/ready-<pid> once its handlers are in place, then DIR/<pid>.<signal number> for each listed
# signal number it receives. SIGTERM (15), when listed, is recorded and then ends that process with
# status 0; with --leader-stays the first process (the app itself) records it and runs on, so a
# SIGTERM its grandchildren got cannot have come from a drain after the app's exit. Every process
# exits 0 once DIR/stop exists, and on its own after a minute.

import os
import signal
import sys
import time
from pathlib import Path

LIFETIME_SECONDS = 60
STOP_POLL_SECONDS = 0.05


def record_signals(directory: Path, numbers: list[int], term_ends: dict[str, bool]) -> None:
    def record(number: int, _frame: object) -> None:
        (directory / f"{os.getpid()}.{number}").touch()
        if number == signal.SIGTERM and term_ends["this process"]:
            os._exit(0)

    for number in numbers:
        signal.signal(number, record)


def fork_grandchildren(count: int) -> bool:
    """Fork `count` copies; True in the process that forked them, False in each copy."""
    for _ in range(count):
        if os.fork() == 0:
            return False
    return True


def main() -> None:
    directory, grandchildren = Path(sys.argv[1]), int(sys.argv[2])
    arguments = sys.argv[3:]
    leader_stays = "--leader-stays" in arguments
    numbers = [int(argument) for argument in arguments if argument != "--leader-stays"]
    term_ends = {"this process": not leader_stays}
    record_signals(directory, numbers, term_ends)
    is_leader = fork_grandchildren(grandchildren)
    term_ends["this process"] = not (leader_stays and is_leader)
    (directory / f"ready-{os.getpid()}").touch()
    deadline = time.monotonic() + LIFETIME_SECONDS
    while time.monotonic() < deadline and not (directory / "stop").exists():
        time.sleep(STOP_POLL_SECONDS)


main()
