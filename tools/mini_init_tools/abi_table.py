"""The single table of numbers the init is built from: syscall numbers per architecture and the
Linux constants both architectures share. The build renders it into each architecture's
constants.inc, so the assembly trees can never disagree about a number."""

from typing import Final

ARCHITECTURES: Final = ("amd64", "arm64", "riscv64")

# Syscall numbers: x86-64 from arch/x86/entry/syscalls/syscall_64.tbl; AArch64 and RISC-V 64 both
# use the asm-generic table (include/uapi/asm-generic/unistd.h). Only calls every architecture has.
_GENERIC: Final[dict[str, int]] = {
    "read": 63, "write": 64, "ioctl": 29, "rt_sigaction": 134, "rt_sigprocmask": 135,
    "getpid": 172, "getppid": 173, "getpgid": 155, "setpgid": 154, "clone": 220, "execve": 221,
    "wait4": 260, "kill": 129, "setsid": 157, "prctl": 167, "clock_gettime": 113,
    "exit_group": 94, "ppoll": 73, "signalfd4": 74, "pwritev2": 287,
}
_X86_64: Final[dict[str, int]] = {
    "read": 0, "write": 1, "ioctl": 16, "rt_sigaction": 13, "rt_sigprocmask": 14,
    "getpid": 39, "getppid": 110, "getpgid": 121, "setpgid": 109, "clone": 56, "execve": 59,
    "wait4": 61, "kill": 62, "setsid": 112, "prctl": 157, "clock_gettime": 228,
    "exit_group": 231, "ppoll": 271, "signalfd4": 289, "pwritev2": 328,
}
SYSCALLS: Final[dict[str, dict[str, int]]] = {
    name: {"amd64": _X86_64[name], "arm64": number, "riscv64": number}
    for name, number in _GENERIC.items()
}

# Constants with the same value on both architectures, grouped as the generated file shows them.
SHARED: Final[dict[str, dict[str, int]]] = {
    "signal numbers": {
        "SIGINT": 2, "SIGQUIT": 3, "SIGKILL": 9, "SIGTERM": 15, "SIGCHLD": 17, "SIGCONT": 18,
        "SIGSTOP": 19, "SIGNAL_MAX": 64, "SIGNAL_NAMED_MAX": 31,
    },
    "errno values": {
        "EPERM": 1, "ENOENT": 2, "ESRCH": 3, "EINTR": 4, "ENOEXEC": 8, "ECHILD": 10, "EAGAIN": 11,
        "ENOMEM": 12, "EACCES": 13, "ENOTDIR": 20, "ENOSYS": 38, "EOPNOTSUPP": 95,
    },
    "syscall flags and sizes": {
        "SIG_SETMASK": 2, "SIGSET_BYTES": 8, "SFD_NONBLOCK": 0o4000, "SFD_CLOEXEC": 0o2000000,
        "SIGNALFD_SIGINFO_BYTES": 128, "SSI_SIGNO": 0, "SSI_PID": 12,
        "POLLIN": 1, "POLLOUT": 4, "POLLFD_BYTES": 8, "POLLFD_EVENTS": 4, "WNOHANG": 1,
        "CLOCK_MONOTONIC": 1, "WAIT_SIGNAL_MASK": 0x7F, "WAIT_EXIT_BYTE": 1,
        "PR_SET_PDEATHSIG": 1, "PR_SET_CHILD_SUBREAPER": 36, "PR_GET_CHILD_SUBREAPER": 37,
        "TIMESPEC_BYTES": 16, "TIMESPEC_NSEC": 8, "IOVEC_BYTES": 16, "IOVEC_LENGTH": 8,
        "RWF_NOWAIT": 8, "TIOCGPGRP": 0x540F, "TIOCSPGRP": 0x5410, "SIGACTION_BYTES": 32,
        "STDIN": 0, "STDOUT": 1, "STDERR": 2,
    },
    "init state machine (docs/init-routines.md)": {
        "PHASE_RUNNING_BIT": 0, "PHASE_EXITED_BIT": 1, "PHASE_DRAINING_BIT": 2,
        "PHASE_BACKOFF_BIT": 3,
        "PHASE_RUNNING": 1, "PHASE_EXITED": 2, "PHASE_DRAINING": 4, "PHASE_BACKOFF": 8,
        "CONFIG_CLAMP": 0, "CONFIG_GRACE": 1, "CONFIG_BOOL": 2, "CONFIG_RANGE": 3,
        "CONFIG_SIGNAL": 4, "CONFIG_LIST": 5, "CONFIG_PRESENT": 6,
        "CONFIG_KIND": 0, "CONFIG_VARIABLE": 1, "CONFIG_DEFAULT": 2, "CONFIG_NAME": 4,
        "CONFIG_LIMIT_BYTES": 4, "CONFIG_LIMIT_SHIFT": 2,  # one config_limits entry, its log2
        "OPTION_OFF": 0, "OPTION_ON": 1, "OPTION_COUNT": 2, "OPTION_VALUE": 3, "OPTION_EXIT": 4,
        "OPTION_SHORT": 0, "OPTION_KIND": 1, "OPTION_TARGET": 2, "OPTION_RECORD_BYTES": 4,
        "LONG_OPTION_PREFIX_BYTES": 2,  # the `--` before a long option's name
    },
    "exit codes (docs/contract.md section 7)": {
        "EXIT_USAGE": 2, "EXIT_INTERNAL": 125, "EXIT_NOT_EXECUTABLE": 126,
        "EXIT_NOT_FOUND": 127, "EXIT_CODE_MAX": 255,
    },
    "time": {
        "NSEC_PER_SEC": 1_000_000_000, "NSEC_PER_USEC": 1000,
        "DRAIN_POLL_NSEC": 50_000_000, "KILL_WAIT_SECONDS": 1,
    },
    "number formatting (log lines, configuration values)": {
        "DECIMAL_BASE": 10, "USEC_DIGITS": 6,
    },
    "limits of the init's own buffers": {
        "LINE_BYTES": 1024, "LINE_TAIL_BYTES": 128, "PATH_BYTES": 4096, "TOKEN_BYTES": 32, "PAGE_BYTES": 4096,
        "CONFIG_CLAMP_MAX": 0xFFFFFFFF, "REWRITE_BYTES": 72, "EXIT_REMAP_BYTES": 256,
        "FORMAT_ARGUMENTS": 4,
    },
    "configuration defaults (docs/contract.md section 8)": {
        "DEFAULT_GRACE_SECONDS": 10, "DEFAULT_EXIT_CODE_BASE": 128,
        "DEFAULT_RESTART_BACKOFF_SECONDS": 1,
    },
}


def _signal_mask(*signals: str) -> int:
    """The set with bit n set for each named signal n (bit 0 unused), as the init tests it."""
    numbers = SHARED["signal numbers"]
    return sum(1 << numbers[name] for name in signals)


# Stop requests (docs/contract.md section 3): HUP is not one, daemons read it as "reload".
SOFT_SIGNALS: Final = ("SIGINT", "SIGQUIT", "SIGTERM")
NEVER_FORWARDED: Final = ("SIGKILL", "SIGSTOP", "SIGCHLD")

SHARED["signal sets (bit n stands for signal n)"] = {
    "SOFT_SIGNAL_MASK": _signal_mask(*SOFT_SIGNALS),
    "UNFORWARDABLE_MASK": _signal_mask(*NEVER_FORWARDED),
}
