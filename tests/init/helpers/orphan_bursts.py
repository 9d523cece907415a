"""App that makes thousands of orphans exit in bursts, then exits together with its children."""

# usage: orphan_bursts.py DIR ORPHANS BURST LINGERING EXIT_CODE
#
# ORPHANS processes are made BURST at a time: an intermediate process forks BURST children that exit
# at once (every tenth one killed by SIGKILL, the others with status ORPHAN_EXIT_CODE), then exits
# itself, so they are reparented to the reaper as a burst. The app reaps only the intermediates.
# Then it starts LINGERING children of its own, writes DIR/done, and when DIR/release appears, they
# and the app exit within a few milliseconds of each other, the app with EXIT_CODE.

import os
import signal
import sys
import time
from pathlib import Path

ORPHAN_EXIT_CODE = 7
LIFETIME_SECONDS = 120


def exit_as_orphan(index: int) -> None:
    if index % 10 == 0:
        os.kill(os.getpid(), signal.SIGKILL)
    os._exit(ORPHAN_EXIT_CODE)


def orphan_burst(size: int) -> None:
    intermediate = os.fork()
    if intermediate == 0:
        for index in range(size):
            if os.fork() == 0:
                exit_as_orphan(index)
        os._exit(0)
    os.waitpid(intermediate, 0)


def wait_for_release(directory: Path) -> None:
    deadline = time.monotonic() + LIFETIME_SECONDS
    while not (directory / "release").exists() and time.monotonic() < deadline:
        time.sleep(0.005)


def main() -> None:
    directory = Path(sys.argv[1])
    orphans, burst, lingering, exit_code = (int(argument) for argument in sys.argv[2:6])
    for start in range(0, orphans, burst):
        orphan_burst(min(burst, orphans - start))
    for _ in range(lingering):
        if os.fork() == 0:
            wait_for_release(directory)
            os._exit(ORPHAN_EXIT_CODE)
    (directory / "done").touch()
    wait_for_release(directory)
    sys.exit(exit_code)


main()
