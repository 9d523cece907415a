"""Measured figures of the scenario suites (stop latencies, CPU time, zombie counts): each becomes a
user property of the test's report (what `record_property` does, without its warning under the
default xunit2 JUnit family; `--junitxml` writes them) and a line at the end of the terminal report."""

from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter

import pytest

FIGURES = pytest.StashKey[list["Figure"]]()


@dataclass(frozen=True)
class Figure:
    """One number a test measured."""

    test: str
    name: str
    value: float | int
    unit: str

    def shown_value(self) -> str:
        number = f"{self.value:.3f}" if isinstance(self.value, float) else str(self.value)
        return f"{number} {self.unit}".rstrip()


class FigureRecorder:
    """What a test hands its measurements to."""

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self._node = request.node
        self._test = f"{request.node.path.name}::{request.node.name}"
        self._figures = request.config.stash.setdefault(FIGURES, [])

    def record(self, name: str, value: float, unit: str = "") -> None:
        figure = Figure(self._test, name, value, unit)
        self._figures.append(figure)
        self._node.user_properties.append((name, figure.shown_value()))


def figures_table(config: pytest.Config) -> list[str]:
    """The figures recorded in this session, grouped by test in the order they were measured: the
    test's id, then one indented `name: value` line per figure."""
    lines: list[str] = []
    recorded: list[Figure] = config.stash.get(FIGURES, [])
    for test, test_figures in groupby(recorded, key=attrgetter("test")):
        lines.append(test)
        lines += [f"    {figure.name}: {figure.shown_value()}" for figure in test_figures]
    return lines
