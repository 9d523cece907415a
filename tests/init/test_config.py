"""EP_* configuration: a bad value warns in one exact line, the default applies; huge ones clamp.

The value in use is checked where it acts: the timeout of the wait the init makes (read from the
ppoll it is blocked in), not only the seconds its -v event says."""

import os
import signal
import time
from pathlib import Path

import pytest

from . import procfs
from .harness import (
    TIMER_EARLINESS,
    InitLauncher,
    Target,
    assert_seconds,
    shell_helper,
    wait_until,
)

CLAMP_MAX = 4294967295
NOT_NUMBERS = ["abc", "-1", "", "1.5", " 2", "+2", "0x10", "\u0663"]
TOO_LARGE = ["4294967296", "18446744073709551616", "9" * 40]
NOT_BOOLEANS = ["yes", "true", "2", " 1", "1 ", "01", "on"]
NO_WRAP_SECONDS = 1.0  # a clamped timer that wrapped around would have fired by then


def warning(name: str, value: str, reason: str, used: int) -> str:
    return f"mini-init: warning: {name}='{value}' {reason}, using {used}"


def invalid(name: str, value: str, used: int) -> str:
    return warning(name, value, "is invalid", used)


def ignored(name: str, value: str) -> str:
    return f"mini-init: warning: {name}='{value}' is invalid, ignored"


def token_skipped(name: str, token: str, reason: str) -> str:
    return f"mini-init: warning: {name} token '{token}' {reason}, skipped"


def too_large(name: str, value: str) -> str:
    return warning(name, value, "is too large", CLAMP_MAX)


def crashing_app(workdir: Path, runs_before_exit_0: int = 0) -> list[str]:
    return shell_helper("crash_counter.sh", workdir, runs_before_exit_0, "KILL")


def run_count(workdir: Path) -> int:
    return len((workdir / "runs").read_text().splitlines())


def assert_timer(target: Target, what: str, timer: float, seconds: int) -> None:
    """A timer set for `seconds` and read a moment later (see InitRun.ppoll_timeout)."""
    assert_seconds(what, timer, seconds, late=TIMER_EARLINESS, early=target.timer_tolerance)


def assert_grace_in_use(target: Target, mini_init: InitLauncher, value: str, seconds: int) -> None:
    """After a TERM under EP_GRACE_SECONDS=value, the init logs a grace timer of `seconds` and
    waits with that timeout (for a TERM-ignoring app, which the test then kills itself)."""
    run = mini_init.start(
        shell_helper("stubborn.sh", mini_init.workdir),
        options=["-v"],
        env={"EP_GRACE_SECONDS": value},
    )
    wait_until(lambda: any(mini_init.workdir.glob("ready-*")), "the app to ignore its signals")
    run.send(signal.SIGTERM)

    arm = run.wait_for_event("event=timer action=arm")
    assert arm.text == f"event=timer action=arm seconds={seconds}"
    assert_timer(
        target, f"the grace timer for EP_GRACE_SECONDS={value!r}", run.ppoll_timeout(), seconds
    )
    os.kill(run.main_child("sleep"), signal.SIGKILL)
    assert run.wait().exit_code == 128 + signal.SIGKILL


def assert_backoff_in_use(
    target: Target, mini_init: InitLauncher, value: str, seconds: int
) -> None:
    """After a crash under EP_RESTART_BACKOFF_SECONDS=value, the init logs a backoff of `seconds`
    and waits with that timeout (then a TERM ends the backoff at once)."""
    run = mini_init.start(
        crashing_app(mini_init.workdir),
        options=["-v"],
        env={
            "EP_RESTART_ENABLED": "1",
            "EP_MAX_RESTARTS": "1",
            "EP_RESTART_BACKOFF_SECONDS": value,
        },
    )
    restart = run.wait_for_event("event=restart")
    timer = run.ppoll_timeout()
    read_at = time.monotonic()
    run.send(signal.SIGTERM)
    finished = run.wait()

    assert restart.text == f"event=restart run=2 backoff={seconds}"
    spawned_before_reading = [
        event for event in finished.events_starting("event=spawn") if event.seconds < read_at
    ]
    assert len(spawned_before_reading) == 1, "the backoff ended before the test read its timer"
    assert_timer(target, f"the backoff for EP_RESTART_BACKOFF_SECONDS={value!r}", timer, seconds)
    assert finished.exit_code == 128 + signal.SIGKILL


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_invalid_grace_seconds_warns_and_uses_10(
    target: Target, mini_init: InitLauncher, value: str
) -> None:
    finished = mini_init.run(["true"], env={"EP_GRACE_SECONDS": value})

    assert finished.messages == [invalid("EP_GRACE_SECONDS", value, 10), *target.start_warnings]
    assert_grace_in_use(target, mini_init, value, 10)


@pytest.mark.parametrize("value", TOO_LARGE)
def test_huge_grace_seconds_is_clamped(target: Target, mini_init: InitLauncher, value: str) -> None:
    finished = mini_init.run(["true"], env={"EP_GRACE_SECONDS": value})

    assert finished.messages == [too_large("EP_GRACE_SECONDS", value), *target.start_warnings]
    assert_grace_in_use(target, mini_init, value, CLAMP_MAX)


def test_clamped_grace_never_wraps_into_an_early_kill(mini_init: InitLauncher) -> None:
    run = mini_init.start(
        shell_helper("stubborn.sh", mini_init.workdir), env={"EP_GRACE_SECONDS": TOO_LARGE[2]}
    )
    wait_until(lambda: any(mini_init.workdir.glob("ready-*")), "the app to ignore its signals")

    run.send(signal.SIGTERM)
    time.sleep(NO_WRAP_SECONDS)

    assert procfs.is_alive(run.main_child("sleep"))


@pytest.mark.parametrize(("value", "used"), [("3", 3), ("007", 7), (str(CLAMP_MAX), CLAMP_MAX)])
def test_valid_grace_seconds_is_used_silently(
    target: Target, mini_init: InitLauncher, value: str, used: int
) -> None:
    assert (
        mini_init.run(["true"], env={"EP_GRACE_SECONDS": value}).messages == target.start_warnings
    )
    assert_grace_in_use(target, mini_init, value, used)


def test_zero_grace_seconds_is_used_silently(target: Target, mini_init: InitLauncher) -> None:
    """0: SIGKILL right after the TERM is forwarded (timed in test_shutdown.py)."""
    run = mini_init.start(
        shell_helper("stubborn.sh", mini_init.workdir),
        options=["-v"],
        env={"EP_GRACE_SECONDS": "0"},
    )
    wait_until(lambda: any(mini_init.workdir.glob("ready-*")), "the app to ignore its signals")
    run.send(signal.SIGTERM)
    finished = run.wait()

    assert finished.exit_code == 128 + signal.SIGKILL
    assert "event=escalate sig=9" in finished.event_texts
    assert finished.messages == target.start_warnings


def test_grace_seconds_off_is_accepted_silently(target: Target, mini_init: InitLauncher) -> None:
    finished = mini_init.run(["true"], env={"EP_GRACE_SECONDS": "off"})

    assert (finished.exit_code, finished.messages) == (0, target.start_warnings)


@pytest.mark.parametrize("value", NOT_BOOLEANS)
def test_invalid_subreaper_warns_and_stays_off(
    target: Target, mini_init: InitLauncher, value: str
) -> None:
    finished = mini_init.run(["true"], env={"EP_SUBREAPER": value})

    assert finished.exit_code == 0
    assert finished.messages == [invalid("EP_SUBREAPER", value, 0), *target.start_warnings]


@pytest.mark.parametrize("value", NOT_BOOLEANS)
def test_invalid_restart_enabled_warns_and_never_restarts(
    target: Target, mini_init: InitLauncher, value: str
) -> None:
    finished = mini_init.run(
        crashing_app(mini_init.workdir),
        env={"EP_RESTART_ENABLED": value, "EP_RESTART_BACKOFF_SECONDS": "0"},
    )

    assert finished.exit_code == 128 + signal.SIGKILL
    assert run_count(mini_init.workdir) == 1
    assert finished.messages == [invalid("EP_RESTART_ENABLED", value, 0), *target.start_warnings]


@pytest.mark.parametrize("value", ["0", ""])
def test_restart_enabled_zero_or_empty_is_off_silently(
    target: Target, mini_init: InitLauncher, value: str
) -> None:
    finished = mini_init.run(crashing_app(mini_init.workdir), env={"EP_RESTART_ENABLED": value})

    assert finished.exit_code == 128 + signal.SIGKILL
    assert run_count(mini_init.workdir) == 1
    assert finished.messages == target.start_warnings


@pytest.mark.parametrize("value", ["abc", ""])
def test_invalid_restart_backoff_warns_and_uses_1(
    target: Target, mini_init: InitLauncher, value: str
) -> None:
    finished = mini_init.run(["true"], env={"EP_RESTART_BACKOFF_SECONDS": value})

    assert finished.messages == [
        invalid("EP_RESTART_BACKOFF_SECONDS", value, 1),
        *target.start_warnings,
    ]
    assert_backoff_in_use(target, mini_init, value, 1)


def test_huge_restart_backoff_is_clamped(target: Target, mini_init: InitLauncher) -> None:
    value = TOO_LARGE[0]
    finished = mini_init.run(["true"], env={"EP_RESTART_BACKOFF_SECONDS": value})

    assert finished.messages == [
        too_large("EP_RESTART_BACKOFF_SECONDS", value),
        *target.start_warnings,
    ]
    assert_backoff_in_use(target, mini_init, value, CLAMP_MAX)


def test_clamped_backoff_never_wraps_into_an_early_restart(mini_init: InitLauncher) -> None:
    run = mini_init.start(
        crashing_app(mini_init.workdir),
        options=["-v"],
        env={"EP_RESTART_ENABLED": "1", "EP_RESTART_BACKOFF_SECONDS": TOO_LARGE[2]},
    )
    run.wait_for_event("event=restart")

    time.sleep(NO_WRAP_SECONDS)

    assert run_count(mini_init.workdir) == 1


@pytest.mark.parametrize(
    ("value", "warnings"),
    [
        pytest.param("1x", [invalid("EP_MAX_RESTARTS", "1x", 0)], id="invalid"),
        pytest.param("-2", [invalid("EP_MAX_RESTARTS", "-2", 0)], id="negative"),
        pytest.param(TOO_LARGE[0], [too_large("EP_MAX_RESTARTS", TOO_LARGE[0])], id="huge"),
    ],
)
def test_invalid_or_huge_max_restarts_warns_and_means_unlimited(
    target: Target, mini_init: InitLauncher, value: str, warnings: list[str]
) -> None:
    finished = mini_init.run(
        crashing_app(mini_init.workdir, runs_before_exit_0=4),
        env={
            "EP_RESTART_ENABLED": "1",
            "EP_RESTART_BACKOFF_SECONDS": "0",
            "EP_MAX_RESTARTS": value,
        },
    )

    assert finished.exit_code == 0
    assert run_count(mini_init.workdir) == 4
    assert finished.messages == [*warnings, *target.start_warnings]


@pytest.mark.parametrize("value", ["256", "1000", "abc", "-1", "", "9" * 40])
def test_invalid_exit_code_base_warns_and_uses_128(
    target: Target, mini_init: InitLauncher, value: str
) -> None:
    finished = mini_init.run(["sh", "-c", "kill -s TERM $$"], env={"EP_EXIT_CODE_BASE": value})

    assert finished.exit_code == 128 + signal.SIGTERM
    assert finished.messages == [invalid("EP_EXIT_CODE_BASE", value, 128), *target.start_warnings]


@pytest.mark.parametrize("name", ["EP_SIGRTMIN", "EP_SIGRTMAX"])
@pytest.mark.parametrize("value", ["0", "65", "x", "9" * 40])
def test_invalid_real_time_bound_warns_and_stays_unset(
    target: Target, mini_init: InitLauncher, name: str, value: str
) -> None:
    valid_bounds = {"EP_SIGRTMIN": "34", "EP_SIGRTMAX": "64"}
    finished = mini_init.run(["true"], env={**valid_bounds, name: value, "EP_SIGNALS": "RT1"})

    assert finished.messages == [
        ignored(name, value),
        token_skipped("EP_SIGNALS", "RT1", "needs EP_SIGRTMIN and EP_SIGRTMAX"),
        *target.start_warnings,
    ]


@pytest.mark.parametrize(("rtmin", "rtmax"), [("34", "20"), ("40", "40")])
def test_real_time_maximum_not_above_the_minimum_warns_and_is_ignored(
    target: Target, mini_init: InitLauncher, rtmin: str, rtmax: str
) -> None:
    env = {"EP_SIGRTMIN": rtmin, "EP_SIGRTMAX": rtmax, "EP_SIGNALS": "RT1"}
    finished = mini_init.run(["true"], env=env)

    assert finished.messages == [
        f"mini-init: warning: EP_SIGRTMAX='{rtmax}' is not above EP_SIGRTMIN, ignored",
        token_skipped("EP_SIGNALS", "RT1", "needs EP_SIGRTMIN and EP_SIGRTMAX"),
        *target.start_warnings,
    ]


def test_every_bad_value_warns_in_table_order(target: Target, mini_init: InitLauncher) -> None:
    env = {
        "EP_PDEATHSIG": "x",
        "EP_EXIT_REMAP": "300",
        "EP_REWRITE": "15:FOO",
        "EP_SIGNALS": "FOO",
        "EP_SIGRTMAX": "0",
        "EP_SIGRTMIN": "99",
        "EP_VERBOSITY": "x",
        "EP_SINGLE_CHILD": "x",
        "EP_EXIT_CODE_BASE": "x",
        "EP_MAX_RESTARTS": "x",
        "EP_RESTART_BACKOFF_SECONDS": "x",
        "EP_RESTART_ENABLED": "x",
        "EP_SUBREAPER": "x",
        "EP_GRACE_SECONDS": "x",
    }

    finished = mini_init.run(["sh", "-c", "exit 4"], env=env)

    assert finished.exit_code == 4
    assert finished.messages == [
        invalid("EP_GRACE_SECONDS", "x", 10),
        invalid("EP_SUBREAPER", "x", 0),
        invalid("EP_RESTART_ENABLED", "x", 0),
        invalid("EP_RESTART_BACKOFF_SECONDS", "x", 1),
        invalid("EP_MAX_RESTARTS", "x", 0),
        invalid("EP_EXIT_CODE_BASE", "x", 128),
        invalid("EP_SINGLE_CHILD", "x", 0),
        invalid("EP_VERBOSITY", "x", 0),
        ignored("EP_SIGRTMIN", "99"),
        ignored("EP_SIGRTMAX", "0"),
        token_skipped("EP_SIGNALS", "FOO", "is not a signal"),
        token_skipped("EP_REWRITE", "15:FOO", "is not S:R"),
        token_skipped("EP_EXIT_REMAP", "300", "is not an exit status"),
        token_skipped("EP_PDEATHSIG", "x", "is not a signal"),
        *target.start_warnings,
    ]


def test_valid_values_are_silent(target: Target, mini_init: InitLauncher) -> None:
    env = {
        "EP_GRACE_SECONDS": "5",
        "EP_RESTART_ENABLED": "1",
        "EP_RESTART_BACKOFF_SECONDS": "0",
        "EP_MAX_RESTARTS": "2",
        "EP_EXIT_CODE_BASE": "0",
        "EP_SIGRTMIN": "34",
        "EP_SIGRTMAX": "64",
        "EP_SIGNALS": "RT2,URG",
        "EP_SINGLE_CHILD": "0",
        "EP_VERBOSITY": "0",
        "EP_REWRITE": "USR1:USR2,15:0",
        "EP_EXIT_REMAP": "143,0",
        "EP_PDEATHSIG": "TERM",
    }

    finished = mini_init.run(["true"], env=env)

    assert (finished.exit_code, finished.messages) == (0, target.start_warnings)
