"""Parent of a plain-child init: a subreaper that waits for the init only, never for its orphans."""

# usage: lazy_subreaper.py INIT [ARG...]
#
# Orphans of the init's children are reparented here (the nearest subreaper) and stay zombies:
# the situation of an init under a runtime that adopts but does not reap. Exits with the init's
# status, dying by the same signal when the init died by one.

import ctypes
import os
import signal
import sys
from typing import NoReturn

PR_SET_CHILD_SUBREAPER = 36


def main() -> NoReturn:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))
    init = os.fork()
    if init == 0:
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
        os.execv(sys.argv[1], sys.argv[1:])
    _, status = os.waitpid(init, 0)
    if os.WIFSIGNALED(status):
        signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
        os.kill(os.getpid(), os.WTERMSIG(status))
    sys.exit(os.waitstatus_to_exitcode(status))


main()
