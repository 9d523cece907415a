"""EP_* configuration: a bad value warns in one exact line, the default applies; huge ones clamp."""

import signal
import time
from pathlib import Path

import pytest

from . import procfs
from .harness import InitLauncher, Target, shell_helper, wait_until

CLAMP_MAX = 4294967295
NOT_NUMBERS = ["abc", "-1", "", "1.5", " 2", "+2", "0x10", "\u0663"]
TOO_LARGE = ["4294967296", "18446744073709551616", "9" * 40]
NOT_BOOLEANS = ["yes", "true", "2", " 1", "1 ", "01", "on"]
NO_WRAP_SECONDS = 1.0  # a clamped timer that wrapped around would have fired by then


def warning(name: str, value: str, reason: str, used: int) -> str:
    return f"mini-init: warning: {name}='{value}' {reason}, using {used}"


def invalid(name: str, value: str, used: int) -> str:
    return warning(name, value, "is invalid", used)


def too_large(name: str, value: str) -> str:
    return warning(name, value, "is too large", CLAMP_MAX)


def crashing_app(workdir: Path, runs_before_exit_0: int = 0) -> list[str]:
    return shell_helper("crash_counter.sh", workdir, runs_before_exit_0, "KILL")


def run_count(workdir: Path) -> int:
    return len((workdir / "runs").read_text().splitlines())


def grace_seconds_in_use(mini_init: InitLauncher, value: str) -> str:
    """The grace period the init arms for EP_GRACE_SECONDS=value, read from its -v timer event."""
    run = mini_init.start(["sleep", "30"], options=["-v"], env={"EP_GRACE_SECONDS": value})
    run.main_child()
    run.send(signal.SIGTERM)
    return run.wait_for_event("event=timer action=arm").fields["seconds"]


def backoff_in_use(mini_init: InitLauncher, value: str) -> str:
    """The restart backoff the init uses for EP_RESTART_BACKOFF_SECONDS=value, from its -v event."""
    run = mini_init.start(
        crashing_app(mini_init.workdir),
        options=["-v"],
        env={
            "EP_RESTART_ENABLED": "1",
            "EP_MAX_RESTARTS": "1",
            "EP_RESTART_BACKOFF_SECONDS": value,
        },
    )
    backoff = run.wait_for_event("event=restart").fields["backoff"]
    if backoff != "1":
        run.send(signal.SIGTERM)  # ends a long backoff at once
    assert run.wait().exit_code == 128 + signal.SIGKILL
    return backoff


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_invalid_grace_seconds_warns_and_uses_10(
    target: Target, mini_init: InitLauncher, value: str
) -> None:
    finished = mini_init.run(["true"], env={"EP_GRACE_SECONDS": value})

    assert finished.messages == [invalid("EP_GRACE_SECONDS", value, 10), *target.start_warnings]
    assert grace_seconds_in_use(mini_init, value) == "10"


@pytest.mark.parametrize("value", TOO_LARGE)
def test_huge_grace_seconds_is_clamped(target: Target, mini_init: InitLauncher, value: str) -> None:
    finished = mini_init.run(["true"], env={"EP_GRACE_SECONDS": value})

    assert finished.messages == [too_large("EP_GRACE_SECONDS", value), *target.start_warnings]
    assert grace_seconds_in_use(mini_init, value) == str(CLAMP_MAX)


def test_clamped_grace_never_wraps_into_an_early_kill(mini_init: InitLauncher) -> None:
    run = mini_init.start(
        shell_helper("stubborn.sh", mini_init.workdir), env={"EP_GRACE_SECONDS": TOO_LARGE[2]}
    )
    wait_until(lambda: any(mini_init.workdir.glob("ready-*")), "the app to ignore its signals")

    run.send(signal.SIGTERM)
    time.sleep(NO_WRAP_SECONDS)

    assert procfs.is_alive(run.main_child("sleep"))


@pytest.mark.parametrize(
    ("value", "used"), [("0", "0"), ("3", "3"), ("007", "7"), (str(CLAMP_MAX), str(CLAMP_MAX))]
)
def test_valid_grace_seconds_is_used_silently(
    target: Target, mini_init: InitLauncher, value: str, used: str
) -> None:
    assert (
        mini_init.run(["true"], env={"EP_GRACE_SECONDS": value}).messages == target.start_warnings
    )
    assert grace_seconds_in_use(mini_init, value) == used


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
    assert backoff_in_use(mini_init, value) == "1"


def test_huge_restart_backoff_is_clamped(target: Target, mini_init: InitLauncher) -> None:
    value = TOO_LARGE[0]
    finished = mini_init.run(["true"], env={"EP_RESTART_BACKOFF_SECONDS": value})

    assert finished.messages == [
        too_large("EP_RESTART_BACKOFF_SECONDS", value),
        *target.start_warnings,
    ]
    assert backoff_in_use(mini_init, value) == str(CLAMP_MAX)


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
        invalid(name, value, 0),
        "mini-init: warning: EP_SIGNALS token 'RT1' needs EP_SIGRTMIN and EP_SIGRTMAX, skipped",
        *target.start_warnings,
    ]


def test_every_bad_value_warns_in_table_order(target: Target, mini_init: InitLauncher) -> None:
    env = {
        "EP_SIGRTMAX": "0",
        "EP_SIGRTMIN": "99",
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
        invalid("EP_SIGRTMIN", "99", 0),
        invalid("EP_SIGRTMAX", "0", 0),
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
    }

    finished = mini_init.run(["true"], env=env)

    assert (finished.exit_code, finished.messages) == (0, target.start_warnings)
