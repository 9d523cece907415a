"""Exit status: the child's code, or EP_EXIT_CODE_BASE plus its fatal signal, capped at 255."""

import signal

import pytest

from .harness import InitLauncher, shell_helper, wait_until


def exiting_with(code: int) -> list[str]:
    return ["sh", "-c", f"exit {code}"]


def killed_by(signal_name: str) -> list[str]:
    return ["sh", "-c", f"kill -s {signal_name} $$"]


@pytest.mark.parametrize("code", [0, 1, 3, 42, 125, 126, 127, 128, 200, 255])
def test_exit_code_of_the_child_is_the_exit_code_of_the_init(
    mini_init: InitLauncher, code: int
) -> None:
    assert mini_init.run(exiting_with(code)).exit_code == code


@pytest.mark.parametrize(
    ("signal_name", "code"),
    [("HUP", 129), ("KILL", 137), ("USR1", 138), ("TERM", 143), ("SYS", 159)],
)
def test_child_killed_by_signal_gives_128_plus_signal(
    mini_init: InitLauncher, signal_name: str, code: int
) -> None:
    assert mini_init.run(killed_by(signal_name)).exit_code == code


@pytest.mark.parametrize(
    ("base", "signal_name", "code"),
    [
        pytest.param("100", "TERM", 115, id="base-100"),
        pytest.param("0", "TERM", 15, id="base-0"),
        pytest.param("240", "TERM", 255, id="sum-255"),
        pytest.param("250", "TERM", 255, id="capped-265"),
        pytest.param("255", "KILL", 255, id="capped-264"),
    ],
)
def test_exit_code_base_is_added_to_the_signal_and_capped_at_255(
    mini_init: InitLauncher, base: str, signal_name: str, code: int
) -> None:
    finished = mini_init.run(killed_by(signal_name), env={"EP_EXIT_CODE_BASE": base})

    assert finished.exit_code == code


def test_exit_code_base_does_not_change_a_normal_exit(mini_init: InitLauncher) -> None:
    assert mini_init.run(exiting_with(3), env={"EP_EXIT_CODE_BASE": "100"}).exit_code == 3


@pytest.mark.parametrize(("base", "code"), [("128", 137), ("200", 209), ("250", 255)])
def test_escalation_to_sigkill_gives_base_plus_9(
    mini_init: InitLauncher, base: str, code: int
) -> None:
    run = mini_init.start(
        shell_helper("stubborn.sh", mini_init.workdir),
        env={"EP_EXIT_CODE_BASE": base, "EP_GRACE_SECONDS": "0"},
    )
    wait_until(lambda: any(mini_init.workdir.glob("ready-*")), "the app to ignore its signals")

    run.send(signal.SIGTERM)

    assert run.wait().exit_code == code
