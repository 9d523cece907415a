"""Invocation: -V prints the version, every malformed command line is a usage error with exit 2."""

import pytest
from mini_init_tools.version import VERSION

from .harness import USAGE_LINE, InitLauncher


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version_flag_prints_one_line_to_stdout_and_exits_0(
    mini_init: InitLauncher, flag: str
) -> None:
    finished = mini_init.run(["touch", "command-ran"], options=[flag])

    assert finished.exit_code == 0
    assert finished.stdout == f"mini-init {VERSION}\n"
    assert finished.stderr == ""
    assert not (mini_init.workdir / "command-ran").exists()


def test_version_flag_after_verbose_still_prints_version(mini_init: InitLauncher) -> None:
    finished = mini_init.run(["true"], options=["-v", "-V"])

    assert (finished.exit_code, finished.stdout) == (0, f"mini-init {VERSION}\n")


@pytest.mark.parametrize(
    "init_arguments",
    [
        pytest.param([], id="no-arguments"),
        pytest.param(["-v"], id="verbose-without-separator"),
        pytest.param(["true"], id="command-without-separator"),
        pytest.param(["-x", "--", "true"], id="unknown-short-option"),
        pytest.param(["--verbose=1", "--", "true"], id="unknown-long-option"),
        pytest.param(["-vV", "--", "true"], id="bundled-options"),
        pytest.param(["-", "--", "true"], id="lone-dash"),
        pytest.param(["--"], id="nothing-after-separator"),
        pytest.param(["-v", "--"], id="verbose-and-nothing-after-separator"),
    ],
)
def test_malformed_command_line_prints_usage_and_exits_2(
    mini_init: InitLauncher, init_arguments: list[str]
) -> None:
    finished = mini_init.start_with_arguments(init_arguments).wait()

    assert finished.exit_code == 2
    assert finished.stderr_lines == [USAGE_LINE]
    assert finished.stdout == ""
