"""Sets up ignored and blocked signals the way a caller might, then execs the init in its place."""

# usage: sigconf_exec.py IGNORED BLOCKED INIT [ARG...]
#
# IGNORED and BLOCKED are comma-separated signal numbers (or "-" for none). Every other signal gets
# its default disposition (Python's own SIGINT handler and its ignored SIGPIPE and SIGXFSZ too) and
# is unblocked, so the init starts with exactly this setup.

import os
import signal
import sys


def numbers(argument: str) -> list[int]:
    return [] if argument == "-" else [int(number) for number in argument.split(",")]


ignored, blocked = numbers(sys.argv[1]), numbers(sys.argv[2])
for valid in signal.valid_signals() - {signal.SIGKILL, signal.SIGSTOP}:
    signal.signal(valid, signal.SIG_DFL)
for number in ignored:
    signal.signal(number, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
os.execv(sys.argv[3], sys.argv[3:])
