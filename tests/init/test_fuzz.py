"""Fuzzing: no EP_* value or command line makes the init die by a signal, hang or print odd text."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mini_init_tools.version import VERSION

from .harness import EVENT_LINE, NOT_REAPING_WARNING, USAGE_LINE, InitLauncher

EXAMPLES_PER_TARGET = 150
RUN_TIMEOUT = 10.0
VARIABLES = [
    "EP_GRACE_SECONDS",
    "EP_SUBREAPER",
    "EP_RESTART_ENABLED",
    "EP_RESTART_BACKOFF_SECONDS",
    "EP_MAX_RESTARTS",
    "EP_EXIT_CODE_BASE",
    "EP_SIGRTMIN",
    "EP_SIGRTMAX",
]
DOCUMENTED_LINES = [
    re.escape(USAGE_LINE),
    re.escape(NOT_REAPING_WARNING),
    r"mini-init: cannot run '.*': .+",
    r"mini-init: warning: EP_[A-Z_]+='.*' is (invalid|too large), using \d+",
    r"mini-init: warning: EP_SIGRTM(IN|AX)='.*' is (invalid|not above EP_SIGRTMIN), ignored",
    r"mini-init: warning: EP_SIGNALS token '.*' (is not a signal|cannot be forwarded"
    r"|needs EP_SIGRTMIN and EP_SIGRTMAX), skipped",
    EVENT_LINE.pattern,
]

# Printable text only: a value with a newline would be echoed over two lines by design.
texts = st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=40)
values = st.one_of(
    st.integers(min_value=-10, max_value=2**80).map(str),
    st.sampled_from(["", "0", "1", " 1", "01", "255", "256", "4294967295", "4294967296"]),
    texts,
)
signal_lists = st.lists(
    st.one_of(
        st.sampled_from(
            ["HUP", "SIGUSR1", "URG", "KILL", "STOP", "CHLD", "term", "SIG", "RT", " TERM "]
        ),
        st.integers(min_value=-2, max_value=70).map(str),
        st.integers(min_value=0, max_value=70).map(lambda n: f"RT{n}"),
        texts,
    ),
    max_size=6,
).map(",".join)
environments = st.fixed_dictionaries(
    {}, optional={**{name: values for name in VARIABLES}, "EP_SIGNALS": signal_lists}
)
# Options always start with "-": whatever ends up in the command position is never a real program.
options = st.lists(
    st.one_of(
        st.sampled_from(["-v", "--verbose", "-V", "--version", "-", "--", "-x"]),
        texts.map(lambda text: f"-{text}"),
    ),
    max_size=3,
)
commands = st.one_of(
    st.sampled_from(
        [
            ["false"],
            ["sh", "-c", "exit 3"],
            ["mini-init-no-such-command"],
            ["/nonexistent"],
            [""],
            [],
        ]
    ),
    st.lists(texts, max_size=3).map(lambda arguments: ["true", *arguments]),
)


def is_documented(line: str) -> bool:
    return any(re.fullmatch(pattern, line) for pattern in DOCUMENTED_LINES)


@pytest.mark.slow
@settings(
    max_examples=EXAMPLES_PER_TARGET,
    deadline=None,
    database=None,
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

    finished = mini_init.start_with_arguments(arguments, env=env).wait(RUN_TIMEOUT)

    assert finished.exit_code >= 0, f"the init died by signal {-finished.exit_code}"
    assert [line for line in finished.stderr_lines if not is_documented(line)] == []
    assert finished.stdout in ("", f"mini-init {VERSION}\n")
