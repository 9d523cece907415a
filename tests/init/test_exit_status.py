"""Exit status: the child's code, or EP_EXIT_CODE_BASE plus its fatal signal, capped at 255."""

import signal
from pathlib import Path

import pytest

from .harness import InitLauncher, shell_helper, wait_until

CORE_PATTERN = Path("/proc/sys/kernel/core_pattern")


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


def dump_directory_for_cores(workdir: Path) -> Path:
    """Where the cores of an app started in `workdir/dumps` go: that directory.

    The kernel writes a core where /proc/sys/kernel/core_pattern says; the tests leave that
    setting alone. A relative pattern (Debian's default "core", core.<pid> with core_uses_pid)
    names a file in the dying process's working directory, so the app runs in a directory of
    the test's own temporary one, deleted with it. An absolute pattern or a pipe to a collector
    (systemd-coredump, apport) would leave the dump outside the test: the test refuses to run."""
    pattern = CORE_PATTERN.read_text().strip()
    if pattern.startswith(("/", "|")):
        pytest.fail(
            f"{CORE_PATTERN} is {pattern!r}: a core dumped here would land outside the test's"
            " temporary directory; these tests need a relative pattern such as 'core'",
            pytrace=False,
        )
    directory = workdir / "dumps"
    directory.mkdir()
    return directory


@pytest.mark.parametrize(
    ("signal_name", "base", "code"),
    [
        pytest.param("SEGV", None, 139, id="SEGV"),
        pytest.param("QUIT", None, 131, id="QUIT"),
        pytest.param("ABRT", None, 134, id="ABRT"),
        pytest.param("SEGV", "100", 111, id="SEGV-base-100"),
    ],
)
def test_child_that_dumps_core_gives_base_plus_signal_without_the_core_bit(
    mini_init: InitLauncher, signal_name: str, base: str | None, code: int
) -> None:
    dumps = dump_directory_for_cores(mini_init.workdir)
    # The app raises its own core limit (prlimit), so the init and the test keep theirs.
    dumping_app = f"cd dumps && exec prlimit --core=unlimited -- sh -c 'kill -s {signal_name} $$'"

    finished = mini_init.run(["sh", "-c", dumping_app], env={"EP_EXIT_CODE_BASE": base})

    assert [path.name[:4] for path in dumps.iterdir()] == ["core"], "the app dumped no core"
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
