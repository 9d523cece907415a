"""Becomes a child subreaper, then execs the init in its place: it inherits the attribute."""

# usage: subreaper_exec.py INIT [ARG...]

import ctypes
import os
import sys

PR_SET_CHILD_SUBREAPER = 36

libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    error = ctypes.get_errno()
    raise OSError(error, os.strerror(error))
os.execv(sys.argv[1], sys.argv[1:])
