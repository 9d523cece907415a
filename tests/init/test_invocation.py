"""Invocation: -V prints the version, also after -v or in a cluster; a flag given a value is a
usage error. The other usage errors, --help, --verbose and where options end are tested with the
rest of the command line in test_first_hour.py and test_drop_in.py."""

import pytest
from mini_init_tools.version import VERSION

from .contract_text import USAGE
from .harness import InitLauncher


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version_flag_prints_one_line_to_stdout_and_exits_0(
    mini_init: InitLauncher, flag: str
) -> None:
    finished = mini_init.run(["touch", "command-ran"], options=[flag])

    assert finished.exit_code == 0
    assert finished.stdout == f"mini-init {VERSION}\n"
    assert finished.stderr == ""
    assert not (mini_init.workdir / "command-ran").exists()


@pytest.mark.parametrize("options", [["-v", "-V"], ["-vV"]], ids=["separate", "clustered"])
def test_version_flag_after_verbose_still_prints_version(
    mini_init: InitLauncher, options: list[str]
) -> None:
    finished = mini_init.run(["true"], options=options)

    assert (finished.exit_code, finished.stdout) == (0, f"mini-init {VERSION}\n")


def test_flag_given_a_value_is_a_usage_error(mini_init: InitLauncher) -> None:
    """A flag takes no value: `--verbose=1` names the value and the option, then the usage line."""
    finished = mini_init.start_with_arguments(["--verbose=1", "--", "true"]).wait()

    assert finished.exit_code == 2
    assert finished.stderr_lines == [
        "mini-init: invalid value '1' for option '--verbose'",
        USAGE,
    ]
    assert finished.stdout == ""
