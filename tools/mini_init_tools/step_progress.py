# SPDX-License-Identifier: MIT
"""Progress for a command that runs `docker buildx bake`: on a terminal a spinner that shows the
step and bake's latest line; elsewhere (CI logs, pipes) one stderr line per step only, since bake's
whole output is kept in its log."""

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.status import Status
from rich.text import Text

from mini_init_tools.bake import BakeProgress


class SpinnerProgress:
    """The step and the latest line of bake, on one spinner line."""

    def __init__(self, status: Status, message: str) -> None:
        self._status = status
        self._message = message

    def step(self, message: str) -> None:
        self._message = message
        self._status.update(Text(message, no_wrap=True, overflow="ellipsis"))

    def detail(self, line: str) -> None:
        self._status.update(Text(f"{self._message}: {line}", no_wrap=True, overflow="ellipsis"))


class StepLines:
    """One plain line per step on `console`; bake's lines are left to its log."""

    def __init__(self, console: Console) -> None:
        self._console = console

    def step(self, message: str) -> None:
        self._console.print(message, markup=False, highlight=False, soft_wrap=True)

    def detail(self, line: str) -> None:
        """Nothing: a CI log gets the steps, the bake log gets every line."""


@contextmanager
def step_progress(console: Console, plain: Console, message: str) -> Iterator[BakeProgress]:
    """A spinner when `console` is a terminal; otherwise step lines on `plain` (stderr)."""
    if console.is_terminal:
        with console.status(message) as status:
            yield SpinnerProgress(status, message)
    else:
        lines = StepLines(plain)
        lines.step(message)
        yield lines
