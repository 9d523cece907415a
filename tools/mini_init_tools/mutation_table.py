# SPDX-License-Identifier: MIT
"""The mutation run's report: a rich table for a terminal, plain lines for logs, and the summary."""

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from mini_init_tools.mutation_run import Outcome, Verdict


def outcome_table(outcomes: Sequence[Outcome]) -> Table:
    """One row per mutation and architecture; anything but KILLED in red; a test's node id is
    folded across lines, never cut."""
    table = Table("mutation", "arch", "result")
    table.add_column("seconds", justify="right")
    table.add_column("killed by, or why not", overflow="fold")
    for outcome in outcomes:
        style = "green" if outcome.verdict is Verdict.KILLED else "bold red"
        table.add_row(
            outcome.mutation,
            outcome.arch,
            Text(outcome.verdict, style=style),
            f"{outcome.seconds:.1f}",
            Text(outcome.detail),
        )
    return table


def outcome_lines(outcomes: Sequence[Outcome]) -> list[str]:
    """The table's rows as plain lines, for CI logs and files."""
    width = max((len(outcome.mutation) for outcome in outcomes), default=0)
    return [
        f"{outcome.mutation:<{width}}  {outcome.arch:<7}  {outcome.verdict:<12}"
        f"  {outcome.seconds:6.1f} s  {outcome.detail}"
        for outcome in outcomes
    ]


def summary(outcomes: Sequence[Outcome], seconds: float) -> str:
    """How many mutants were killed, and what else happened, in how long."""
    counts = {verdict: 0 for verdict in Verdict}
    for outcome in outcomes:
        counts[outcome.verdict] += 1
    killed = f"{counts.pop(Verdict.KILLED)} of {len(outcomes)} KILLED"
    others = [f"{count} {verdict}" for verdict, count in counts.items() if count]
    verdicts = ", ".join([killed, *others])
    took = f"{seconds:.0f} s" if seconds < 100 else f"{seconds / 60:.1f} min"
    return f"{verdicts} in {took}"
