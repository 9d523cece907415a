"""Launch variants for the new modules: the init exec'd through a wrapper, or under another parent."""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .harness import UNSHARE, Target, python_helper


@dataclass(frozen=True)
class WrappedTarget(Target):
    """The init started as `WRAPPER... INIT ARGS` (a wrapper such as env or setpriv that execs it,
    keeping its PID), as PID 1 under unshare or as the child of `parent_helper`."""

    wrapper: tuple[str, ...] = ()
    parent_helper: str = "reaping_parent.py"

    def launch_command(self, init_arguments: Sequence[str], root: Path | None = None) -> list[str]:
        assert root is None, "a wrapped init is not run chrooted"
        init = [*self.wrapper, str(self.binary), *init_arguments]
        if self.as_pid1:
            return [UNSHARE, "--pid", "--fork", "--mount-proc", *init]
        return python_helper(self.parent_helper, *init)
