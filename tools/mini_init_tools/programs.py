# SPDX-License-Identifier: MIT
"""The programs the tool starts by name, the Debian package of each, and one line when one is missing."""

import shutil
from dataclasses import dataclass

from mini_init_tools.errors import ToolError


@dataclass(frozen=True)
class Program:
    """A program looked up in PATH and the Debian package that installs it."""

    name: str
    package: str

    @property
    def fix(self) -> str:
        """The command that installs it."""
        return f"apt-get install {self.package}"


GIT = Program("git", "git")  # the commit's time and id for the image labels
BASH = Program("bash", "bash")  # runs the buildx/ scripts of `stack up` and `stack down`
UNSHARE = Program("unshare", "util-linux")  # the bench runs each init as PID 1 of a namespace


def require_program(program: Program) -> str:
    """The program's path; when it is not in PATH, a ToolError naming the package to install."""
    path = shutil.which(program.name)
    if path is None:
        raise ToolError(f"{program.name} not found: {program.fix}")
    return path
