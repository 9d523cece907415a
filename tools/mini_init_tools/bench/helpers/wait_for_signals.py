"""Bench helper: blocks SIGUSR1, says "ready", prints time.monotonic_ns() for each SIGUSR1."""

import os
import signal
import time


def answer_signals() -> None:
    """One line per SIGUSR1, written in one call; SIGTERM (left at its default) ends the helper."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
    os.write(1, b"ready\n")
    while True:
        signal.sigwaitinfo({signal.SIGUSR1})
        os.write(1, f"{time.monotonic_ns()}\n".encode())


if __name__ == "__main__":
    answer_signals()
