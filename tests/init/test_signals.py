"""Signals: forwarded to the whole group, none stops or kills the init, dropped during a restart
backoff, and EP_SIGNALS only validated (docs/contract.md section 3). That every signal 1..64 but
SIGCHLD reaches the app, and SIGCHLD never does, is tested in test_drop_in.py."""

import signal

import pytest

from . import procfs
from .harness import InitLauncher, InitRun, SignalRecorder, Target

# glibc keeps these two real-time signals for itself. QEMU user mode remaps the real-time signals
# (docs/design.md), so they are checked natively only.
GLIBC_REAL_TIME_SIGNALS = [32, 33]
QEMU_KEEPS = "QEMU user mode remaps the real-time signals (docs/design.md): checked natively"


def token_warning(token: str, reason: str) -> str:
    return f"mini-init: warning: EP_SIGNALS token '{token}' {reason}, skipped"


def assert_init_neither_stopped_nor_dead(run: InitRun) -> None:
    assert procfs.is_alive(run.init_pid), f"the init died: {run.stderr_text()!r}"
    assert not procfs.is_stopped(run.init_pid), "the init is stopped"


def assert_each_reaches_app_and_grandchild(
    mini_init: InitLauncher, numbers: list[signal.Signals], env: dict[str, str] | None = None
) -> InitRun:
    """Send each signal in turn to an app with one grandchild; both must get each one."""
    recorder = SignalRecorder(mini_init.workdir)
    run = mini_init.start(recorder.command(1, *numbers, leader_stays=True), env=env)
    recorder.wait_ready(2)

    for number in numbers:
        run.send(number)
        recorder.wait_received(number, 2)

    assert_init_neither_stopped_nor_dead(run)
    recorder.stop()
    return run


@pytest.mark.parametrize(
    "number",
    [signal.SIGTERM, signal.SIGUSR1, signal.SIGHUP, signal.SIGWINCH],
    ids=lambda number: number.name,
)
def test_forwarded_signal_reaches_child_and_grandchildren(
    mini_init: InitLauncher, number: signal.Signals
) -> None:
    """The app records every signal and stays; its grandchildren end on SIGTERM. A SIGTERM they
    got while the app still runs came from the init's forward to the group, not from the drain
    that follows the app's exit."""
    recorder = SignalRecorder(mini_init.workdir)
    recorded = (signal.SIGUSR1, signal.SIGHUP, signal.SIGWINCH, signal.SIGTERM)
    run = mini_init.start(recorder.command(3, *recorded, leader_stays=True))
    recorder.wait_ready(4)
    app = run.main_child()

    run.send(number)

    recorder.wait_received(number, 4)
    assert procfs.is_alive(app), "the app ended: the grandchildren's signal may be the drain's"
    recorder.stop()
    assert run.wait().exit_code == 0


def test_glibcs_own_real_time_signals_are_forwarded_too(
    target: Target, mini_init: InitLauncher
) -> None:
    """32 and 33, which glibc keeps for itself (no Python app can catch them, so
    test_drop_in.py's every-signal test leaves them out): each kills a `sleep`, 128 + n."""
    if target.emulated:
        pytest.skip(QEMU_KEEPS)
    statuses = {}
    for number in GLIBC_REAL_TIME_SIGNALS:
        run = mini_init.start(["sleep", "30"])
        run.main_child()
        run.send(number)
        statuses[number] = run.wait().exit_code

    assert statuses == {number: 128 + number for number in GLIBC_REAL_TIME_SIGNALS}


def test_job_control_signals_are_forwarded_without_stopping_the_init(
    mini_init: InitLauncher,
) -> None:
    job_control = [signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU, signal.SIGCONT]
    run = assert_each_reaches_app_and_grandchild(mini_init, job_control)

    assert run.wait().exit_code == 0


def test_signals_during_restart_backoff_are_dropped_without_harm(mini_init: InitLauncher) -> None:
    run = mini_init.start(
        ["sh", "-c", "kill -s KILL $$"],
        options=["-v"],
        env={"EP_RESTART_ENABLED": "1", "EP_RESTART_BACKOFF_SECONDS": "60"},
    )
    run.wait_for_event("event=restart")

    for number in (signal.SIGUSR1, signal.SIGHUP, signal.SIGTSTP, signal.SIGTTIN, signal.SIGWINCH):
        run.send(number)
        run.wait_for_event(f"event=signal action=drop sig={number}")

    assert_init_neither_stopped_nor_dead(run)
    run.send(signal.SIGTERM)
    assert run.wait(timeout=10).exit_code == 128 + signal.SIGKILL


def test_ep_signals_is_validated_and_forwarding_does_not_depend_on_it(
    target: Target, mini_init: InitLauncher
) -> None:
    """EP_SIGNALS is only checked now: listed or not, every signal is forwarded."""
    listed = [signal.SIGURG, signal.SIGPROF, signal.SIGPWR, signal.SIGTSTP]
    not_listed = [signal.SIGXCPU, signal.SIGUSR2]
    env = {"EP_SIGNALS": " URG ,SIGPROF,FOO,30,,KILL, tstp"}

    run = assert_each_reaches_app_and_grandchild(mini_init, [*listed, *not_listed], env)

    finished = run.wait()
    assert finished.exit_code == 0
    assert finished.messages == [
        token_warning("FOO", "is not a signal"),
        token_warning("KILL", "cannot be forwarded"),
        *target.start_warnings,
    ]


VALID_RT_RANGE = {"EP_SIGRTMIN": "34", "EP_SIGRTMAX": "64"}


def range_warning(rtmax: str) -> str:
    return f"mini-init: warning: EP_SIGRTMAX='{rtmax}' is not above EP_SIGRTMIN, ignored"


@pytest.mark.parametrize(
    ("value", "extra", "warnings"),
    [
        pytest.param("FOO", {}, [token_warning("FOO", "is not a signal")], id="unknown-name"),
        pytest.param("SIG", {}, [token_warning("SIG", "is not a signal")], id="bare-prefix"),
        pytest.param("0", {}, [token_warning("0", "is not a signal")], id="zero"),
        pytest.param("65", {}, [token_warning("65", "is not a signal")], id="above-64"),
        pytest.param("-1", {}, [token_warning("-1", "is not a signal")], id="negative"),
        pytest.param("1x", {}, [token_warning("1x", "is not a signal")], id="digits-then-letters"),
        pytest.param("A" * 31, {}, [token_warning("A" * 31, "is not a signal")], id="31-bytes"),
        pytest.param("A" * 32, {}, [token_warning("A" * 31, "is too long")], id="32-bytes-cut"),
        pytest.param("A" * 40, {}, [token_warning("A" * 31, "is too long")], id="long-token-cut"),
        pytest.param(
            " FOO , BAR ",
            {},
            [token_warning("FOO", "is not a signal"), token_warning("BAR", "is not a signal")],
            id="trimmed-in-order",
        ),
        pytest.param(
            "9,KILL,SIGKILL,kill",
            {},
            [
                token_warning("9", "cannot be forwarded"),
                token_warning("KILL", "cannot be forwarded"),
                token_warning("SIGKILL", "cannot be forwarded"),
                token_warning("kill", "cannot be forwarded"),
            ],
            id="kill",
        ),
        pytest.param(
            "19,STOP",
            {},
            [
                token_warning("19", "cannot be forwarded"),
                token_warning("STOP", "cannot be forwarded"),
            ],
            id="stop",
        ),
        pytest.param(
            "17,CHLD",
            {},
            [
                token_warning("17", "cannot be forwarded"),
                token_warning("CHLD", "cannot be forwarded"),
            ],
            id="chld",
        ),
        pytest.param(
            "RT1",
            {},
            [token_warning("RT1", "needs EP_SIGRTMIN and EP_SIGRTMAX")],
            id="rt-without-range",
        ),
        pytest.param(
            "RT1",
            {"EP_SIGRTMIN": "34"},
            [token_warning("RT1", "needs EP_SIGRTMIN and EP_SIGRTMAX")],
            id="rt-without-max",
        ),
        pytest.param(
            "RT1",
            {"EP_SIGRTMIN": "40", "EP_SIGRTMAX": "34"},
            [range_warning("34"), token_warning("RT1", "needs EP_SIGRTMIN and EP_SIGRTMAX")],
            id="rt-min-above-max",
        ),
        pytest.param(
            "RT1",
            {"EP_SIGRTMIN": "34", "EP_SIGRTMAX": "34"},
            [range_warning("34"), token_warning("RT1", "needs EP_SIGRTMIN and EP_SIGRTMAX")],
            id="rt-min-equals-max",
        ),
        pytest.param(
            "RT31", VALID_RT_RANGE, [token_warning("RT31", "is not a signal")], id="rt-beyond-max"
        ),
        pytest.param(
            "RTX", VALID_RT_RANGE, [token_warning("RTX", "is not a signal")], id="rt-letters"
        ),
        pytest.param("URG, 23 ,SIGWINCH,,RT0,RT30", VALID_RT_RANGE, [], id="all-valid"),
        pytest.param("term,sigterm,SigTerm,Usr1, hup ", {}, [], id="any-case"),
    ],
)
def test_bad_ep_signals_tokens_warn_exactly_and_are_skipped(
    target: Target, mini_init: InitLauncher, value: str, extra: dict[str, str], warnings: list[str]
) -> None:
    finished = mini_init.run(["true"], env={"EP_SIGNALS": value, **extra})

    assert finished.exit_code == 0
    assert finished.messages == [*warnings, *target.start_warnings]
