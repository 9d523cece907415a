"""App that leaves a worker behind and exits: the situation a drain on shutdown must handle."""

# usage: leave_worker.py DIR EXIT_CODE WORKER_KIND
#
# WORKER_KIND says what the worker does on SIGTERM: "flushing" waits half a second, writes
# DIR/flushed and exits 0; "stubborn" ignores it; "counting" appends a line to DIR/terms and keeps
# running. Add "-detached" (e.g. "flushing-detached") for a daemon that leaves the group: double
# fork and setsid. The worker writes its own PID to DIR/worker-pid once ready; the app waits for
# that file, then exits with EXIT_CODE. The worker ends on its own after a minute.

import os
import signal
import sys
import time
from pathlib import Path

FLUSH_SECONDS = 0.5
LIFETIME_SECONDS = 60


def flush_and_exit(directory: Path) -> None:
    def on_term(_number: int, _frame: object) -> None:
        time.sleep(FLUSH_SECONDS)
        (directory / "flushed").write_text(f"flushed by {os.getpid()}\n")
        os._exit(0)

    signal.signal(signal.SIGTERM, on_term)


def ignore_term(_directory: Path) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def count_terms(directory: Path) -> None:
    def on_term(_number: int, _frame: object) -> None:
        with open(directory / "terms", "a") as terms:
            terms.write("TERM\n")

    signal.signal(signal.SIGTERM, on_term)


ON_TERM = {"flushing": flush_and_exit, "stubborn": ignore_term, "counting": count_terms}


def run_worker(directory: Path, kind: str) -> None:
    ON_TERM[kind.removesuffix("-detached")](directory)
    (directory / "worker-pid.tmp").write_text(str(os.getpid()))
    (directory / "worker-pid.tmp").rename(directory / "worker-pid")
    time.sleep(LIFETIME_SECONDS)
    os._exit(0)


def start_worker(directory: Path, kind: str) -> None:
    first = os.fork()
    if first == 0:
        if kind.endswith("-detached"):
            os.setsid()
            if os.fork() != 0:
                os._exit(0)
        run_worker(directory, kind)
    if kind.endswith("-detached"):
        os.waitpid(first, 0)


def main() -> None:
    directory, exit_code, kind = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    start_worker(directory, kind)
    while not (directory / "worker-pid").exists():
        time.sleep(0.01)
    sys.exit(exit_code)


main()
