"""Parent of a plain-child init: a subreaper that reaps orphans at once, like container runtimes."""

# usage: reaping_parent.py INIT [ARG...]
#
# The machine's own PID 1 reaps orphans only every second or so, which would make every
# "plain child" scenario with leftovers slow and timing-dependent. This parent stands in for
# containerd-shim or systemd: orphans of the init's children come here and are reaped at once. It
# hands the init exactly the environment, descriptors, signal mask and dispositions it got itself,
# and exits with the init's status (dying by the same signal when the init died by one).

import ctypes
import os
import signal
import sys
from typing import NoReturn

PR_SET_CHILD_SUBREAPER = 36


def become_child_subreaper() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))


def environment_as_received() -> dict[bytes, bytes]:
    """The environment this process was started with (Python may add LC_CTYPE to os.environ)."""
    with open("/proc/self/environ", "rb") as environ:
        entries = environ.read().split(b"\0")
    return dict(entry.split(b"=", 1) for entry in entries if b"=" in entry)


def reap_until_exit_of(pid: int) -> int:
    while True:
        reaped, status = os.wait()
        if reaped == pid:
            return status


def exit_like(status: int) -> NoReturn:
    if os.WIFSIGNALED(status):
        signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
        os.kill(os.getpid(), os.WTERMSIG(status))
    sys.exit(os.waitstatus_to_exitcode(status))


def start_init(argv: list[str]) -> int:
    """fork and execve (glibc's posix_spawn would leave its internal signals 32 and 33 ignored)."""
    init = os.fork()
    if init == 0:
        # Python ignores SIGPIPE and SIGXFSZ for itself: give the init the dispositions we got.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
        os.execve(argv[0], argv, environment_as_received())
    return init


def main() -> NoReturn:
    become_child_subreaper()
    exit_like(reap_until_exit_of(start_init(sys.argv[1:])))


main()
