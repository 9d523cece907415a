"""Bench helper: makes N orphans by double fork (grandchildren exit at once), prints the time."""

import os
import sys
import time


def make_orphans(count: int) -> None:
    """Each orphan's parent exits first, so the orphan (already exiting) is re-parented to PID 1."""
    for _ in range(count):
        middle = os.fork()
        if middle == 0:
            if os.fork() == 0:
                os._exit(0)
            os._exit(0)
        os.waitpid(middle, 0)


if __name__ == "__main__":
    make_orphans(int(sys.argv[1]))
    print(time.monotonic_ns(), flush=True)
