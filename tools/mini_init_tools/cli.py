"""The mini-init-tools command line: declares the commands; the work lives in one module per job."""

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Annotated, Optional, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from mini_init_tools import build as build_module
from mini_init_tools.abi_table import ARCHITECTURES
from mini_init_tools.errors import ToolError
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


def _print_version(value: bool) -> None:
    if value:
        console.print(f"mini-init-tools {VERSION}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        Optional[bool],
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version."),
    ] = None,
) -> None:
    """Build, image, test and benchmark mini-init."""


@app.command()
def build(
    arch: Annotated[
        Optional[list[str]],
        typer.Option("--arch", help=f"Architecture to build (repeatable): {', '.join(ARCHITECTURES)}."),
    ] = None,
) -> None:
    """Assemble and link the init into build/<arch>/mini-init and verify each binary."""
    architectures = tuple(arch) if arch else ARCHITECTURES
    with progress("assembling and linking"):
        built = run_reporting_errors(lambda: build_module.build_all(architectures))
    table = Table("arch", "binary", "bytes", "sha256")
    for binary in built:
        table.add_row(binary.arch, str(binary.path), str(binary.size), binary.sha256)
    console.print(table)
