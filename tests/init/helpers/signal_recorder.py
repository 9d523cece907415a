"""App that records every listed signal it and its forked grandchildren receive as a marker file."""

# usage: signal_recorder.py DIR GRANDCHILDREN SIGNAL...
#
# The process forks GRANDCHILDREN copies of itself (same process group). Each one writes
# DIR/ready-<pid> once its handlers are in place, then DIR/<pid>.<signal number> for each listed
# signal number it receives. SIGTERM (15), when listed, is recorded and then ends that process with
# status 0. Every process ends on its own after a minute.

import os
import signal
import sys
import time
from pathlib import Path

LIFETIME_SECONDS = 60


def record_signals(directory: Path, numbers: list[int]) -> None:
    def record(number: int, _frame: object) -> None:
        (directory / f"{os.getpid()}.{number}").touch()
        if number == signal.SIGTERM:
            os._exit(0)

    for number in numbers:
        signal.signal(number, record)


def fork_grandchildren(count: int) -> None:
    for _ in range(count):
        if os.fork() == 0:
            return


def main() -> None:
    directory = Path(sys.argv[1])
    record_signals(directory, [int(number) for number in sys.argv[3:]])
    fork_grandchildren(int(sys.argv[2]))
    (directory / f"ready-{os.getpid()}").touch()
    deadline = time.monotonic() + LIFETIME_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.1)


main()
