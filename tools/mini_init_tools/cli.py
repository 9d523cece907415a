"""The mini-init-tools command line: declares the commands; the work lives in one module per job."""

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from functools import partial
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from mini_init_tools import build as build_module
from mini_init_tools import doctor as doctor_module
from mini_init_tools import images as images_module
from mini_init_tools import mutation_run
from mini_init_tools import stack as stack_module
from mini_init_tools.abi_table import ARCHITECTURES
from mini_init_tools.bench import report as bench_report
from mini_init_tools.bench import runner as bench_runner
from mini_init_tools.errors import ToolError
from mini_init_tools.image_report import print_images
from mini_init_tools.mutation_table import outcome_lines, outcome_table, summary
from mini_init_tools.platforms import PLATFORMS
from mini_init_tools.routine_sizes import label_sizes
from mini_init_tools.step_progress import step_progress
from mini_init_tools.version import VERSION

app = typer.Typer(
    help="Build, image, test and benchmark mini-init, a tiny PID 1 for containers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()
error_console = Console(stderr=True)
Result = TypeVar("Result")


def run_reporting_errors(work: Callable[[], Result]) -> Result:
    """Run `work`; a ToolError becomes one line on stderr and exit status 1, never a traceback."""
    try:
        return work()
    except ToolError as error:
        error_console.print(f"mini-init-tools: {error}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


def progress(message: str) -> AbstractContextManager[object]:
    """A spinner for long work on a terminal; nothing when output goes to a file or CI log."""
    return console.status(message) if console.is_terminal else nullcontext()


@contextmanager
def progress_lines(message: str) -> Iterator[Callable[[str], None]]:
    """Like progress(), for work that reports lines: on a terminal the spinner shows the latest
    line; elsewhere (CI logs) every line goes to stderr."""
    if console.is_terminal:
        with console.status(message) as status:
            yield lambda line: status.update(
                Text(f"{message}: {line}", no_wrap=True, overflow="ellipsis")
            )
    else:
        yield lambda line: error_console.print(line, markup=False, highlight=False, soft_wrap=True)


def _print_version(value: bool) -> None:
    if value:
        console.print(f"mini-init-tools {VERSION}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version."),
    ] = None,
) -> None:
    """Build, image, test and benchmark mini-init."""


@app.command()
def build(
    arch: Annotated[
        list[str] | None,
        typer.Option("--arch", help=f"Architecture to build (repeatable): {', '.join(ARCHITECTURES)}."),
    ] = None,
    routines: Annotated[
        bool,
        typer.Option("--routines", help="Also list the bytes of every routine and read-only datum."),
    ] = False,
) -> None:
    """Assemble and link the init into build/<arch>/mini-init and verify each binary."""
    architectures = tuple(arch) if arch else ARCHITECTURES
    with progress("assembling and linking"):
        built = run_reporting_errors(lambda: build_module.build_all(architectures))
    for binary in built:
        console.print(
            f"{binary.arch}  {binary.size} bytes  sha256 {binary.sha256}  {binary.path}",
            markup=False, highlight=False, soft_wrap=True,
        )
    if routines:
        print_routine_sizes(built)


def print_routine_sizes(built: list[build_module.BuiltBinary]) -> None:
    """One table: each label's bytes in every architecture built, largest first (the first's order)."""
    sizes = {
        binary.arch: {(label.section, label.name): label.size for label in label_sizes(binary.object_file)}
        for binary in built
    }
    table = Table("section", "label", *sizes)
    for section, name in sizes[built[0].arch]:
        table.add_row(section, name, *(str(sizes[arch].get((section, name), "-")) for arch in sizes))
    console.print(table)


@app.command()
def bench(
    quick: Annotated[bool, typer.Option("--quick", help="Fewer runs: under a minute, noisier numbers.")] = False,
    output: Annotated[
        Path,
        typer.Option("--output", help="Directory for results.json and ratios.png.", show_default="build/bench"),
    ] = bench_runner.DEFAULT_OUTPUT,
    update_docs: Annotated[
        bool,
        typer.Option("--update-docs", help="Also rewrite docs/benchmarks.md and its chart."),
    ] = False,
) -> None:
    """Measure mini-init against tini, dumb-init and catatonit; write the JSON and a chart."""
    plan = bench_runner.QUICK if quick else bench_runner.FULL
    with progress_lines("benchmarking") as show_step:
        outcome = run_reporting_errors(
            lambda: bench_runner.run_benchmark(plan, output, update_docs, show_step)
        )
    for table in bench_report.terminal_tables(outcome.results):
        console.print(table)
    for path in outcome.written:
        console.print(f"wrote {path}")


@app.command()
def mutate(
    arch: Annotated[
        list[str] | None,
        typer.Option("--arch", help=f"Architecture (repeatable): {', '.join(ARCHITECTURES)}."),
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option("--only", help="Mutation to plant (repeatable), by name; default: every one."),
    ] = None,
    fast: Annotated[
        bool, typer.Option("--fast", help="Only the fast subset CI runs (about two minutes).")
    ] = False,
) -> None:
    """Plant each known bug in a copy of the init, build it, run the tests that claim that
    behaviour; exit 1 unless every mutant is killed (docs/testing.md)."""
    mutations = run_reporting_errors(lambda: mutation_run.select_mutations(only or [], fast))
    architectures = run_reporting_errors(lambda: mutation_run.select_architectures(arch or []))
    started = time.monotonic()
    with progress_lines("mutating") as show_step:
        outcomes = mutation_run.run_mutations(mutations, architectures, show_step)
    if console.is_terminal:
        console.print(outcome_table(outcomes))
    else:
        for line in outcome_lines(outcomes):
            console.print(line, markup=False, highlight=False, soft_wrap=True)
    console.print(summary(outcomes, time.monotonic() - started), markup=False, highlight=False)
    if any(outcome.verdict is not mutation_run.Verdict.KILLED for outcome in outcomes):
        raise typer.Exit(1)


stack_app = typer.Typer(help="Bring the local Docker stack (engine, buildx, QEMU, registry) up or down.")
app.add_typer(stack_app, name="stack", no_args_is_help=True)


def _run_stack_steps(steps: tuple[stack_module.StackStep, ...]) -> None:
    """Each step under a spinner on a terminal; elsewhere (CI logs) one plain line as it starts."""
    for step in steps:
        if not console.is_terminal:
            console.print(step.message, markup=False, highlight=False, soft_wrap=True)
        with progress(step.message):
            run_reporting_errors(partial(stack_module.run_step, step))


@stack_app.command("up")
def stack_up() -> None:
    """Install (first time) and start Docker, buildx, QEMU (arm64, riscv64), a registry on :5000."""
    _run_stack_steps(stack_module.UP_STEPS)
    run_reporting_errors(stack_module.require_stack_up)
    console.print(
        f"stack up: Docker, buildx for {', '.join(PLATFORMS)}, registry on 127.0.0.1:5000",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


@stack_app.command("down")
def stack_down() -> None:
    """Stop the registry and dockerd started by `stack up`; packages and images stay."""
    _run_stack_steps(stack_module.DOWN_STEPS)
    console.print("stack down: registry and dockerd stopped")


@app.command()
def doctor() -> None:
    """List every prerequisite with ✓ or ✗ and the command that fixes it; exit 1 if any is missing."""
    findings = doctor_module.examine()
    table = Table("", "prerequisite", "fix")
    for finding in findings:
        mark = Text("✓", style="green") if finding.met else Text("✗", style="red")
        table.add_row(mark, finding.name, "" if finding.met else Text(finding.fix))
    console.print(table)
    if not all(finding.met for finding in findings):
        raise typer.Exit(1)


@app.command()
def images(
    variant: Annotated[
        list[str] | None,
        typer.Option(
            "--variant", help=f"Variant to build (repeatable): {', '.join(images_module.VARIANTS)}."
        ),
    ] = None,
    platform: Annotated[
        list[str] | None,
        typer.Option(
            "--platform", help=f"Platform to build (repeatable): {', '.join(PLATFORMS)}."
        ),
    ] = None,
    registry: Annotated[
        str, typer.Option("--registry", help="Registry the tags start with, e.g. localhost:5000.")
    ] = "",
    push: Annotated[
        bool,
        typer.Option("--push", help="Push to --registry instead of loading into the local image store."),
    ] = False,
    standin_bases: Annotated[
        bool,
        typer.Option(
            "--standin-bases",
            help="Build on local stand-ins (made from Debian packages) of the bases, the build "
            "stage's Debian and the SBOM scanner: no pulls.",
        ),
    ] = False,
    builder: Annotated[
        str,
        typer.Option("--builder", help="The buildx builder to bake on (default: the current one)."),
    ] = "",
) -> None:
    """Bake the binaries into build/<arch>/ and the images (every variant and platform by default)."""
    request = images_module.ImageRequest(
        variants=tuple(variant) if variant else images_module.VARIANTS,
        platforms=tuple(platform) if platform else PLATFORMS,
        registry=registry,
        push=push,
        standin_bases=standin_bases,
        builder=builder,
    )
    run_reporting_errors(lambda: images_module.check_request(request))
    with step_progress(console, error_console, "building images") as progress:
        built = run_reporting_errors(lambda: images_module.build_images(request, progress))
    print_images(console, built)
