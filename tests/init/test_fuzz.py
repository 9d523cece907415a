"""Fuzzing: no EP_* value or command line makes the init die by a signal, hang, exit with a status
it cannot have, or print a line docs/contract.md does not have."""

import re
import shutil

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from mini_init_tools.version import VERSION

from .contract_text import NOT_REAPING, USAGE
from .harness import EVENT_LINE, InitLauncher

EXAMPLES_PER_TARGET = 150
RUN_TIMEOUT = 10.0
VARIABLES = [
    "EP_GRACE_SECONDS",
    "EP_SUBREAPER",
    "EP_RESTART_ENABLED",
    "EP_RESTART_BACKOFF_SECONDS",
    "EP_MAX_RESTARTS",
    "EP_EXIT_CODE_BASE",
    "EP_SINGLE_CHILD",
    "EP_VERBOSITY",
    "EP_SIGRTMIN",
    "EP_SIGRTMAX",
    "EP_PDEATHSIG",
    "TINI_SUBREAPER",
    "TINI_VERBOSITY",
    "TINI_KILL_PROCESS_GROUP",
]
TOKEN_REASONS = (
    "is not a signal|cannot be forwarded|needs EP_SIGRTMIN and EP_SIGRTMAX|is too long"
    "|is not S:R|is not an exit status"
)
USAGE_REASONS = (
    "unknown option '.*'|no command to run|option '.*' needs a value"
    "|invalid value '.*' for option '.*'"
)
TOKEN_VARIABLES = "SIGNALS|REWRITE|EXIT_REMAP|PDEATHSIG"
DOCUMENTED_LINES = [
    re.escape(USAGE),
    re.escape(NOT_REAPING),
    rf"mini-init: ({USAGE_REASONS})",
    r"mini-init: cannot run '.*': .+",
    # section 8 gives the form for EP_*; TINI_VERBOSITY (a number, too) warns the same way
    r"mini-init: warning: (EP|TINI)_[A-Z_]+='.*' is (invalid|too large), using \d+",
    r"mini-init: warning: EP_SIGRTM(IN|AX)='.*' is invalid, ignored",
    r"mini-init: warning: EP_SIGRTMAX='.*' is not above EP_SIGRTMIN, ignored",
    rf"mini-init: warning: EP_({TOKEN_VARIABLES}) token '.*' ({TOKEN_REASONS}), skipped",
    EVENT_LINE.pattern,
]
# What each command can end with: its own code, 127 not found, 2 a usage error, 0 for -V, -h, -l
# or a remapped status. Nothing here dies by a signal, so no base + signal; never 125.
POSSIBLE_STATUSES = {0, 1, 2, 3, 127}
FIXED_COMMANDS = [
    ["false"],
    ["sh", "-c", "exit 3"],
    ["mini-init-no-such-command"],
    ["/nonexistent"],
    [""],
    [],
]

# Printable text only: a value with a newline would be echoed over two lines by design.
texts = st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=40)
values = st.one_of(
    st.integers(min_value=-10, max_value=2**80).map(str),
    st.sampled_from(
        ["", "0", "1", " 1", "01", "255", "256", "4294967295", "4294967296", "off", "TERM"]
    ),
    texts,
)
signal_tokens = st.one_of(
    st.sampled_from(
        ["HUP", "SIGUSR1", "URG", "KILL", "STOP", "CHLD", "term", "SigTerm", "SIG", "RT", " TERM "]
    ),
    st.integers(min_value=-2, max_value=70).map(str),
    st.integers(min_value=0, max_value=70).map(lambda n: f"RT{n}"),
    texts,
)
signal_lists = st.lists(signal_tokens, max_size=6).map(",".join)
rewrite_lists = st.lists(
    st.tuples(signal_tokens, signal_tokens).map(":".join) | texts, max_size=4
).map(",".join)
exit_code_lists = st.lists(values, max_size=4).map(",".join)
environments = st.fixed_dictionaries(
    {},
    optional={
        **{name: values for name in VARIABLES},
        "EP_SIGNALS": signal_lists,
        "EP_REWRITE": rewrite_lists,
        "EP_EXIT_REMAP": exit_code_lists,
    },
)
# Options always start with "-": whatever ends up in the command position is never a real program.
options = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "-v", "--verbose", "-vvv", "-V", "--version", "-h", "--help", "-l", "-c",
                "--single-child", "-g", "-s", "-w", "-sw", "-e", "-e143", "-r", "--rewrite",
                "--rewrite=15:2", "-pTERM", "-p", "-", "--", "-x",
            ]
        ),
        texts.map(lambda text: f"-{text}"),
    ),
    max_size=3,
)  # fmt: skip
commands = st.one_of(
    st.sampled_from(FIXED_COMMANDS),
    st.lists(texts, max_size=3).map(lambda arguments: ["true", *arguments]),
)


def is_documented(line: str) -> bool:
    return any(re.fullmatch(pattern, line) for pattern in DOCUMENTED_LINES)


def documented_stdout(stdout: str) -> bool:
    """Nothing (the commands print nothing), the version, the license line, or the help."""
    return (
        stdout in ("", f"mini-init {VERSION}\n", "MIT License\n")
        or "mini-init [OPTIONS] [--] COMMAND [ARG...]" in stdout
    )


def runs_only_known_programs(arguments: list[str]) -> bool:
    """No word but the commands' own could name a program, wherever the init stops reading
    options."""
    known = {word for command in FIXED_COMMANDS for word in command} | {"true"}
    words = [word for word in arguments if not word.startswith("-") and word not in known]
    return all(shutil.which(word) is None for word in words)


@pytest.mark.slow
@pytest.mark.differential("streams")  # a failed exec's message races the init's spawn event
@settings(
    max_examples=EXAMPLES_PER_TARGET,
    deadline=None,
    database=None,
    derandomize=True,  # the same examples on every architecture, for the differential recorder
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(env=environments, options=options, separator=st.booleans(), command=commands)
def test_random_configuration_and_arguments_never_crash_or_hang(
    mini_init: InitLauncher,
    env: dict[str, str],
    options: list[str],
    separator: bool,
    command: list[str],
) -> None:
    arguments = [*options, *(["--"] if separator else []), *command]
    assume(runs_only_known_programs(arguments))

    finished = mini_init.start_with_arguments(arguments, env=env).wait(RUN_TIMEOUT)

    assert finished.exit_code >= 0, f"the init died by signal {-finished.exit_code}"
    assert finished.exit_code in POSSIBLE_STATUSES
    assert [line for line in finished.stderr_lines if not is_documented(line)] == []
    assert documented_stdout(finished.stdout), finished.stdout
