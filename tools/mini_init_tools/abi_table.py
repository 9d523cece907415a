"""The single table of numbers the init is built from: syscall numbers per architecture and the
Linux constants both architectures share. The build renders it into each architecture's
constants.inc, so the two assembly trees can never disagree about a number."""

from typing import Final

ARCHITECTURES: Final = ("amd64", "arm64")

# Syscall numbers: x86-64 from arch/x86/entry/syscalls/syscall_64.tbl, AArch64 from the
# asm-generic table (include/uapi/asm-generic/unistd.h). Only calls both architectures have.
SYSCALLS: Final[dict[str, dict[str, int]]] = {
    "read": {"amd64": 0, "arm64": 63},
    "write": {"amd64": 1, "arm64": 64},
    "rt_sigprocmask": {"amd64": 14, "arm64": 135},
    "getpid": {"amd64": 39, "arm64": 172},
    "clone": {"amd64": 56, "arm64": 220},
    "execve": {"amd64": 59, "arm64": 221},
    "wait4": {"amd64": 61, "arm64": 260},
    "kill": {"amd64": 62, "arm64": 129},
    "setsid": {"amd64": 112, "arm64": 157},
    "prctl": {"amd64": 157, "arm64": 167},
    "clock_gettime": {"amd64": 228, "arm64": 113},
    "exit_group": {"amd64": 231, "arm64": 94},
    "ppoll": {"amd64": 271, "arm64": 73},
    "signalfd4": {"amd64": 289, "arm64": 74},
}

# Constants with the same value on both architectures, grouped as the generated file shows them.
SHARED: Final[dict[str, dict[str, int]]] = {
    "signal numbers": {
        "SIGHUP": 1, "SIGINT": 2, "SIGQUIT": 3, "SIGKILL": 9, "SIGUSR1": 10, "SIGUSR2": 12,
        "SIGPIPE": 13, "SIGALRM": 14, "SIGTERM": 15, "SIGCHLD": 17, "SIGCONT": 18,
        "SIGSTOP": 19, "SIGTTIN": 21, "SIGTTOU": 22, "SIGWINCH": 28,
        "SIGNAL_MAX": 64, "SIGNAL_NAMED_MAX": 31,
    },
    "errno values": {
        "EPERM": 1, "ENOENT": 2, "ESRCH": 3, "EINTR": 4, "EIO": 5, "E2BIG": 7, "ENOEXEC": 8,
        "EBADF": 9, "ECHILD": 10, "EAGAIN": 11, "ENOMEM": 12, "EACCES": 13, "EFAULT": 14,
        "ENOTDIR": 20, "EISDIR": 21, "EINVAL": 22, "ENFILE": 23, "EMFILE": 24, "ETXTBSY": 26,
        "ENAMETOOLONG": 36, "ELOOP": 40,
    },
    "syscall flags and sizes": {
        "SIG_SETMASK": 2, "SIGSET_BYTES": 8, "SFD_NONBLOCK": 0o4000, "SFD_CLOEXEC": 0o2000000,
        "SIGNALFD_SIGINFO_BYTES": 128, "SSI_SIGNO": 0, "SSI_PID": 12,
        "POLLIN": 1, "POLLFD_BYTES": 8, "POLLFD_EVENTS": 4, "WNOHANG": 1, "CLOCK_MONOTONIC": 1,
        "WAIT_SIGNAL_MASK": 0x7F, "WAIT_EXIT_SHIFT": 8,
        "PR_SET_CHILD_SUBREAPER": 36, "TIMESPEC_BYTES": 16, "TIMESPEC_NSEC": 8,
        "STDIN": 0, "STDOUT": 1, "STDERR": 2,
    },
    "init state machine (docs/init-routines.md)": {
        "PHASE_RUNNING": 0, "PHASE_EXITED": 1, "PHASE_DRAINING": 2, "PHASE_BACKOFF": 3,
        "CONFIG_BOOL": 0, "CONFIG_CLAMP": 1, "CONFIG_RANGE": 2,
        "CONFIG_NAME": 0, "CONFIG_VARIABLE": 8, "CONFIG_DEFAULT": 16, "CONFIG_MAX": 20,
        "CONFIG_MIN": 24, "CONFIG_KIND": 28, "CONFIG_RECORD_BYTES": 32,
    },
    "exit codes (SPEC.md section 7, docs/design.md)": {
        "EXIT_USAGE": 2, "EXIT_INTERNAL": 125, "EXIT_NOT_EXECUTABLE": 126,
        "EXIT_NOT_FOUND": 127, "EXIT_CODE_MAX": 255,
    },
    "time": {
        "NSEC_PER_SEC": 1_000_000_000, "NSEC_PER_USEC": 1000,
        "DRAIN_POLL_NSEC": 50_000_000,
    },
    "number formatting (log lines, configuration values)": {
        "DECIMAL_BASE": 10, "USEC_DIGITS": 6,
    },
    "limits of the init's own buffers": {
        "LINE_BYTES": 512, "PATH_BYTES": 4096, "TOKEN_BYTES": 32, "PAGE_BYTES": 4096,
        "CONFIG_CLAMP_MAX": 0xFFFFFFFF,
    },
    "configuration defaults (SPEC.md section 8)": {
        "DEFAULT_GRACE_SECONDS": 10, "DEFAULT_EXIT_CODE_BASE": 128,
        "DEFAULT_RESTART_BACKOFF_SECONDS": 1,
    },
}


def _signal_mask(*signals: str) -> int:
    """The 64-bit set with bit (n - 1) set for each named signal n, as the init stores it."""
    numbers = SHARED["signal numbers"]
    return sum(1 << (numbers[name] - 1) for name in signals)


SOFT_SIGNALS: Final = ("SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM")
FORWARDED_BY_DEFAULT: Final = SOFT_SIGNALS + (
    "SIGUSR1", "SIGUSR2", "SIGPIPE", "SIGWINCH", "SIGTTIN", "SIGTTOU", "SIGCONT", "SIGALRM",
)
NEVER_FORWARDED: Final = ("SIGKILL", "SIGSTOP", "SIGCHLD")

SHARED["signal sets (bit n-1 stands for signal n)"] = {
    "SOFT_SIGNAL_MASK": _signal_mask(*SOFT_SIGNALS),
    "DEFAULT_FORWARD_MASK": _signal_mask(*FORWARDED_BY_DEFAULT),
    "UNFORWARDABLE_MASK": _signal_mask(*NEVER_FORWARDED),
}
