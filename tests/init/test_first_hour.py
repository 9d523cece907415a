"""A user's first hour (issue 12): HUP, grace off, EP_VERBOSITY, --help, usage and config messages."""

import os
import re
import signal
import time

import pytest

from . import procfs
from .contract_text import USAGE, start_warnings, token_warning, usage_error, warning
from .harness import InitLauncher, SignalRecorder, Target, wait_until

GRACE_SECONDS = 1
PAST_GRACE_SECONDS = 2.5

# docs/contract.md, section 1: every option of the table.
OPTIONS = [
    "-h", "--help", "-V", "--version", "-v", "--verbose", "-c", "--single-child", "-g", "-s",
    "-e", "-r", "--rewrite", "-p", "-w", "-l",
]  # fmt: skip
# Section 8: every EP_* variable and its default (None: unset, no value to show).
VARIABLE_DEFAULTS: dict[str, str | None] = {
    "EP_GRACE_SECONDS": "10",
    "EP_SUBREAPER": "0",
    "EP_RESTART_ENABLED": "0",
    "EP_RESTART_BACKOFF_SECONDS": "1",
    "EP_MAX_RESTARTS": "0",
    "EP_EXIT_CODE_BASE": "128",
    "EP_SINGLE_CHILD": "0",
    "EP_VERBOSITY": "0",
    "EP_SIGRTMIN": None,
    "EP_SIGRTMAX": None,
    "EP_SIGNALS": None,
    "EP_REWRITE": None,
    "EP_EXIT_REMAP": None,
    "EP_PDEATHSIG": None,
}


def timer_texts(texts: list[str]) -> list[str]:
    return [text for text in texts if text.startswith("event=timer")]


# HUP means reload -----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.differential("messages")  # the recorder's child ends with it or by the drain
def test_hup_is_forwarded_and_arms_no_timer(target: Target, mini_init: InitLauncher) -> None:
    recorder = SignalRecorder(mini_init.workdir)
    run = mini_init.start(
        recorder.command(1, signal.SIGHUP, signal.SIGTERM),
        options=["-v"],
        env={"EP_GRACE_SECONDS": str(GRACE_SECONDS)},
    )
    recorder.wait_ready(2)
    app = run.main_child()

    run.send(signal.SIGHUP)
    recorder.wait_received(signal.SIGHUP, 2)
    time.sleep(PAST_GRACE_SECONDS)

    assert procfs.is_alive(app), "the app reloading on HUP was killed"
    assert timer_texts([event.text for event in run.events_so_far()]) == []
    run.send(signal.SIGTERM)
    finished = run.wait()
    assert finished.exit_code == 0
    assert f"event=signal action=forward sig={signal.SIGHUP}" in finished.event_texts
    assert finished.messages == start_warnings(target.as_pid1)


# EP_GRACE_SECONDS=off -------------------------------------------------------------------------


@pytest.mark.slow
def test_grace_off_never_kills_a_term_ignoring_app(target: Target, mini_init: InitLauncher) -> None:
    ready = mini_init.workdir / "ready"
    app = f'trap "" TERM; touch "{ready}"; sleep 3; exit 4'
    run = mini_init.start(["sh", "-c", app], options=["-v"], env={"EP_GRACE_SECONDS": "off"})
    wait_until(ready.exists, "the app to ignore TERM")

    run.send(signal.SIGTERM)
    finished = run.wait()

    assert finished.exit_code == 4  # the app's own status, 3 s later
    assert timer_texts(finished.event_texts) == []
    assert not [text for text in finished.event_texts if text.startswith("event=escalate")]
    assert finished.messages == start_warnings(target.as_pid1)


def test_grace_off_still_gives_leftovers_of_an_app_that_exited_on_its_own_10_s(
    target: Target, mini_init: InitLauncher
) -> None:
    ready = mini_init.workdir / "ready"
    app = f'(trap "" TERM; touch "{ready}"; exec sleep 30) & while [ ! -e "{ready}" ]; do :; done'
    run = mini_init.start(["sh", "-c", app], options=["-v"], env={"EP_GRACE_SECONDS": "off"})

    run.wait_for_event("event=drain")
    armed = run.wait_for_event("event=timer action=arm")

    assert armed.fields["seconds"] == "10"
    for pid in procfs.processes_with_environment_entry(mini_init.tag):
        if procfs.command_name(pid) == "sleep":
            os.kill(pid, signal.SIGKILL)
    finished = run.wait()
    assert finished.exit_code == 0
    assert finished.messages == start_warnings(target.as_pid1)  # `off` is a valid value


@pytest.mark.parametrize("attempt", range(5))
def test_stop_request_right_after_the_start_arms_the_10_s_default(
    mini_init: InitLauncher, attempt: int
) -> None:
    """TERM as soon as the app runs: it is a stop request like any later one (0.2.0 in progress
    sometimes forwarded it without arming the timer, most often under QEMU)."""
    run = mini_init.start(["sleep", "30"], options=["-v"])
    run.main_child()

    run.send(signal.SIGTERM)
    finished = run.wait()

    assert finished.exit_code == 128 + signal.SIGTERM
    assert timer_texts(finished.event_texts) == ["event=timer action=arm seconds=10"]


# EP_VERBOSITY: what `docker run image -v sh` cannot do -----------------------------------------


@pytest.mark.parametrize(("value", "events"), [("1", True), ("2", True), ("0", False), ("", False)])
def test_ep_verbosity_turns_on_events(
    target: Target, mini_init: InitLauncher, value: str, events: bool
) -> None:
    finished = mini_init.run(["sh", "-c", "exit 3"], env={"EP_VERBOSITY": value})

    assert finished.exit_code == 3
    expected_warnings = [] if value != "" else [warning("EP_VERBOSITY='' is invalid, using 0")]
    assert finished.messages == [*expected_warnings, *start_warnings(target.as_pid1)]
    assert bool(finished.events) == events
    if events:
        assert finished.event_texts[-1] == "event=exit status=3"


# --help ---------------------------------------------------------------------------------------


def lines_naming(text: str, word: str) -> list[str]:
    pattern = re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])")
    return [line for line in text.splitlines() if pattern.search(line)]


@pytest.mark.parametrize(
    "arguments", [["--help"], ["-h"], ["-h", "--", "touch", "ran"], ["-vh"]], ids=" ".join
)
def test_help_lists_every_option_and_variable_on_stdout(
    mini_init: InitLauncher, arguments: list[str]
) -> None:
    finished = mini_init.start_with_arguments(arguments).wait()

    assert finished.exit_code == 0
    assert finished.stderr == ""
    assert "mini-init [OPTIONS] [--] COMMAND [ARG...]" in finished.stdout
    assert [option for option in OPTIONS if not lines_naming(finished.stdout, option)] == []
    for variable, default in VARIABLE_DEFAULTS.items():
        lines = lines_naming(finished.stdout, variable)
        assert lines, f"--help does not name {variable}"
        if default is not None:
            assert any(re.search(rf"(?<![\w.]){default}(?![\w.])", line) for line in lines), (
                f"--help does not show {variable}'s default {default}: {lines}"
            )
    assert not (mini_init.workdir / "ran").exists()


# Usage errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "reason"),
    [
        (["-x", "--", "true"], "unknown option '-x'"),
        (["-x", "true"], "unknown option '-x'"),
        (["--bogus", "--", "true"], "unknown option '--bogus'"),
        ([], "no command to run"),
        (["-v"], "no command to run"),
        (["--"], "no command to run"),
        (["-s", "--"], "no command to run"),
        (["-e"], "option '-e' needs a value"),
        (["-r"], "option '-r' needs a value"),
        (["-p"], "option '-p' needs a value"),
        (["--rewrite"], "option '--rewrite' needs a value"),
        (["-e", "300", "--", "true"], "invalid value '300' for option '-e'"),
        (["-e256", "--", "true"], "invalid value '256' for option '-e'"),
        (["-e", "abc", "--", "true"], "invalid value 'abc' for option '-e'"),
        (["-r", "15:FOO", "--", "true"], "invalid value '15:FOO' for option '-r'"),
        (["-r", "15", "--", "true"], "invalid value '15' for option '-r'"),
        (["--rewrite=TERM", "--", "true"], "invalid value 'TERM' for option '--rewrite'"),
        (["-p", "FOO", "--", "true"], "invalid value 'FOO' for option '-p'"),
        (["-p", "KILLX", "--", "true"], "invalid value 'KILLX' for option '-p'"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_usage_errors_say_which_then_the_usage_line_and_exit_2(
    mini_init: InitLauncher, arguments: list[str], reason: str
) -> None:
    finished = mini_init.start_with_arguments(arguments).wait()

    assert finished.exit_code == 2
    assert finished.stderr_lines == usage_error(reason)
    assert finished.stdout == ""
    assert not (mini_init.workdir / "ran").exists()


def test_usage_line_is_the_contract_s(mini_init: InitLauncher) -> None:
    assert mini_init.start_with_arguments([]).wait().stderr_lines[-1] == USAGE


# Configuration messages -----------------------------------------------------------------------

RT_RANGE_IGNORED = warning("EP_SIGRTMAX='20' is not above EP_SIGRTMIN, ignored")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"EP_SIGRTMIN": "34", "EP_SIGRTMAX": "20"}, [RT_RANGE_IGNORED]),
        (
            {"EP_SIGRTMIN": "34", "EP_SIGRTMAX": "20", "EP_SIGNALS": "RT1"},
            [
                RT_RANGE_IGNORED,
                token_warning("EP_SIGNALS", "RT1", "needs EP_SIGRTMIN and EP_SIGRTMAX"),
            ],
        ),
        ({"EP_SIGRTMIN": "abc"}, [warning("EP_SIGRTMIN='abc' is invalid, ignored")]),
        ({"EP_SIGRTMAX": "65"}, [warning("EP_SIGRTMAX='65' is invalid, ignored")]),
        ({"EP_SIGRTMIN": "0"}, [warning("EP_SIGRTMIN='0' is invalid, ignored")]),
        ({"EP_SIGNALS": "term,SigUsr1,usr2,sigwinch,Hup,15"}, []),
        ({"EP_SIGNALS": "rt1", "EP_SIGRTMIN": "34", "EP_SIGRTMAX": "64"}, []),
    ],
    ids=[
        "min-not-below-max",
        "then-rt-token",
        "min-invalid",
        "max-above-64",
        "min-zero",
        "names-in-any-case",
        "rt-in-lower-case",
    ],
)
def test_configuration_messages_are_exact(
    target: Target, mini_init: InitLauncher, env: dict[str, str], expected: list[str]
) -> None:
    finished = mini_init.run(["sh", "-c", "exit 9"], env=env)

    assert finished.exit_code == 9
    assert finished.messages == [*expected, *start_warnings(target.as_pid1)]
