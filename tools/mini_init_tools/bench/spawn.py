"""Per-spawn overhead: `INIT -- /bin/true` against `/bin/true` alone, from spawn to wait."""

import os
import time
from typing import TypedDict

from mini_init_tools.bench.contenders import REFERENCE, Contender, round_robin
from mini_init_tools.bench.summary import Summary, ratio, summarize
from mini_init_tools.errors import ToolError

APPLICATION = "/bin/true"
BASELINE = "/bin/true alone"
QUIET = [
    (os.POSIX_SPAWN_OPEN, descriptor, os.devnull, os.O_WRONLY, 0) for descriptor in (1, 2)
]  # the inits' "not PID 1" warnings go nowhere, for every init alike


class SeriesResult(TypedDict):
    """Every wall-clock time of one command, in nanoseconds, and their summary."""

    samples_ns: list[int]
    summary: Summary


class InitSpawnResult(SeriesResult):
    """One init's times, and what it adds to /bin/true alone."""

    overhead_ns: float
    overhead_vs_reference: float | None


class SpawnResult(TypedDict):
    """The baseline and every init; overhead = median(init) - median(baseline)."""

    runs: int
    baseline: SeriesResult
    inits: dict[str, InitSpawnResult]


def time_one_run(argv: list[str]) -> int:
    """Nanoseconds from spawning `argv` until it has been waited for; a failing run is an error."""
    start = time.perf_counter_ns()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=QUIET)
    _, status = os.waitpid(pid, 0)
    elapsed = time.perf_counter_ns() - start
    exit_code = os.waitstatus_to_exitcode(status)
    if exit_code != 0:
        raise ToolError(f"`{' '.join(argv)}` exited {exit_code}: it cannot be timed")
    return elapsed


def measure_spawn(contenders: list[Contender], runs: int) -> SpawnResult:
    """`runs` timed runs of each command, interleaved, after one untimed warm-up round."""
    commands = {
        BASELINE: [APPLICATION],
        **{contender.name: contender.command(APPLICATION) for contender in contenders},
    }
    for argv in commands.values():
        time_one_run(argv)
    samples: dict[str, list[int]] = {name: [] for name in commands}
    for name in round_robin(list(commands), runs):
        samples[name].append(time_one_run(commands[name]))
    baseline = summarize(samples[BASELINE])
    overheads = {
        contender.name: summarize(samples[contender.name])["median"] - baseline["median"]
        for contender in contenders
    }
    return SpawnResult(
        runs=runs,
        baseline=SeriesResult(samples_ns=samples[BASELINE], summary=baseline),
        inits={
            contender.name: InitSpawnResult(
                samples_ns=samples[contender.name],
                summary=summarize(samples[contender.name]),
                overhead_ns=overheads[contender.name],
                overhead_vs_reference=ratio(overheads[contender.name], overheads[REFERENCE]),
            )
            for contender in contenders
        },
    )
