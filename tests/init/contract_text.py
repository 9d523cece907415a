"""Exact lines docs/contract.md prescribes, for the modules that test the rewritten init."""

from mini_init_tools.version import VERSION

USAGE = "mini-init: usage: mini-init [OPTIONS] [--] COMMAND [ARG...]"
NOT_REAPING = "mini-init: warning: not PID 1 nor a subreaper (-s): zombie reaping won't work"
VERSION_LINE = f"mini-init {VERSION}\n"
TINI_VERSION_LINE = f"tini version {VERSION} - git.mini-init-{VERSION.replace('.', '-')}\n"
LICENSE_LINE = "MIT License\n"


def usage_error(reason: str) -> list[str]:
    """The stderr lines of a usage error: which one, then the usage line."""
    return [f"mini-init: {reason}", USAGE]


def warning(text: str) -> str:
    return f"mini-init: warning: {text}"


def start_warnings(as_pid1: bool, subreaper: bool = False) -> list[str]:
    """What the init warns at start when its parent is an ordinary process (not PID 1)."""
    return [] if as_pid1 or subreaper else [NOT_REAPING]


def cannot_send(number: int, target: str) -> str:
    """`target`: "process group 42", "pid 42" or "every process"."""
    return warning(f"cannot send signal {number} to {target}: Operation not permitted")


def token_warning(variable: str, token: str, reason: str) -> str:
    return warning(f"{variable} token '{token}' {reason}, skipped")
