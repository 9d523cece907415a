"""Runs every measurement in turn and writes results.json and the chart (and docs/ when asked)."""

import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from mini_init_tools.bench.chart import require_matplotlib, write_chart
from mini_init_tools.bench.contenders import find_contenders, version_of
from mini_init_tools.bench.docker_stop import measure_docker_stop
from mini_init_tools.bench.floor import build_floor
from mini_init_tools.bench.image_sizes import measure_image_sizes
from mini_init_tools.bench.machine import describe_machine
from mini_init_tools.bench.memory import measure_memory
from mini_init_tools.bench.reaping import measure_reaping
from mini_init_tools.bench.report import Results, render_markdown
from mini_init_tools.bench.signals import measure_signal_latency
from mini_init_tools.bench.size import OTHER_ARCHITECTURES, measure_sizes
from mini_init_tools.bench.spawn import measure_spawn
from mini_init_tools.build import build_all
from mini_init_tools.errors import ToolError
from mini_init_tools.paths import BUILD_DIR, REPO_ROOT
from mini_init_tools.programs import UNSHARE, require_program

DEFAULT_OUTPUT = BUILD_DIR / "bench"
DOCS_PAGE = REPO_ROOT / "docs" / "benchmarks.md"
DOCS_CHART = DOCS_PAGE.with_suffix(".png")
RESULTS_NAME = "results.json"
CHART_NAME = "ratios.png"


@dataclass(frozen=True)
class Plan:
    """How many times each figure is measured."""

    name: str
    memory_runs: int
    spawn_runs: int
    signals: int
    orphan_counts: tuple[int, ...]
    reaping_runs: int
    docker_runs: int


FULL = Plan(
    "full",
    memory_runs=7,
    spawn_runs=300,
    signals=200,
    orphan_counts=(1_000, 10_000),
    reaping_runs=3,
    docker_runs=5,
)
QUICK = Plan(
    "quick",
    memory_runs=3,
    spawn_runs=50,
    signals=30,
    orphan_counts=(1_000,),
    reaping_runs=2,
    docker_runs=2,
)


@dataclass(frozen=True)
class BenchOutcome:
    """The results and every file written from them."""

    results: Results
    written: tuple[Path, ...]


def prepare_output(directory: Path) -> None:
    """Create the output directory, or say in one line why it cannot be used."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ToolError(
            f"cannot write results to {directory}: {error.strerror}; pass a writable --output DIR"
        ) from None
    if not os.access(directory, os.W_OK):
        raise ToolError(
            f"cannot write results to {directory}: not writable; pass a writable --output DIR"
        )


def require_root() -> None:
    """Reaping runs each init as PID 1 of a new PID namespace, which takes root."""
    if os.geteuid() != 0:
        raise ToolError(
            "the bench needs root: reaping runs each init as PID 1 with `unshare --pid`"
        )


def _display_path(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


def run_benchmark(
    plan: Plan, output: Path, update_docs: bool, on_step: Callable[[str], None]
) -> BenchOutcome:
    """Check what the run needs, measure everything, write the files (docs/benchmarks.md and its
    chart too when `update_docs`); `on_step` hears each step."""
    started = time.monotonic()
    output = output.resolve()
    prepare_output(output)
    require_root()
    require_program(UNSHARE)
    require_matplotlib()
    on_step("building mini-init and the floor")
    built = {binary.arch: binary for binary in build_all()}
    contenders = find_contenders(built["amd64"].path, build_floor(output / "floor"))
    results: Results = {
        "schema": 2,
        "plan": asdict(plan),
        "machine": describe_machine(),
        "inits": {
            contender.name: {
                "binary": _display_path(contender.binary),
                "version": version_of(contender),
                "command": [_display_path(contender.binary), *contender.separator, "CMD", "..."],
            }
            for contender in contenders
        },
        "mini_init_sha256": {arch: binary.sha256 for arch, binary in built.items()},
    }
    on_step("binary sizes")
    results["size_bytes"] = measure_sizes(
        contenders, {arch: built[arch].path for arch in OTHER_ARCHITECTURES}
    )
    on_step(f"own peak memory (VmHWM): {plan.memory_runs} runs per init")
    results["memory"] = measure_memory(contenders, plan.memory_runs)
    on_step(f"spawn overhead: {plan.spawn_runs} runs per init")
    results["spawn"] = measure_spawn(contenders, plan.spawn_runs)
    results["reaping"] = {}
    for orphans in plan.orphan_counts:
        on_step(f"reaping {orphans:,} orphans as PID 1: {plan.reaping_runs} runs per init")
        results["reaping"][str(orphans)] = measure_reaping(contenders, orphans, plan.reaping_runs)
    on_step(f"signal forwarding latency: {plan.signals} signals per init")
    results["signals"] = measure_signal_latency(contenders, plan.signals)
    on_step("image sizes per platform, next to their bases")
    results["image_sizes"] = measure_image_sizes()
    on_step("docker stop latency (amd64)")
    results["docker_stop"] = measure_docker_stop(plan.docker_runs)
    results["duration_seconds"] = time.monotonic() - started
    on_step(
        "writing the results, the chart and docs/benchmarks.md"
        if update_docs
        else "writing the results and the chart"
    )
    return BenchOutcome(results, write_outputs(results, output, update_docs))


def write_outputs(results: Results, output: Path, update_docs: bool) -> tuple[Path, ...]:
    """results.json and the chart in `output`; with `update_docs`, also the docs page and its copy
    of the chart in docs/ (without, the checkout stays as it is)."""
    results_path = output / RESULTS_NAME
    chart_path = output / CHART_NAME
    results_path.write_text(json.dumps(results, indent=1) + "\n")
    write_chart(results, chart_path)
    if not update_docs:
        return results_path, chart_path
    shutil.copyfile(chart_path, DOCS_CHART)
    DOCS_PAGE.write_text(render_markdown(results, _display_path(results_path), DOCS_CHART.name))
    return results_path, chart_path, DOCS_PAGE, DOCS_CHART
