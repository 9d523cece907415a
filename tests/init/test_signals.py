"""Signals: forwarding to the whole group, harmless drops, and EP_SIGNALS parsing."""

import signal
import time

import pytest

from . import procfs
from .harness import InitLauncher, InitRun, SignalRecorder, Target

# The default forward set except SIGTERM, which ends the recorder app.
FORWARDED_BY_DEFAULT = [
    signal.SIGHUP,
    signal.SIGINT,
    signal.SIGQUIT,
    signal.SIGUSR1,
    signal.SIGUSR2,
    signal.SIGPIPE,
    signal.SIGWINCH,
    signal.SIGTTIN,
    signal.SIGTTOU,
    signal.SIGCONT,
    signal.SIGALRM,
]
# Catchable signals outside the default forward set; none of them may stop or kill the init.
NOT_FORWARDED_BY_DEFAULT = [
    signal.SIGTRAP,
    signal.SIGSTKFLT,
    signal.SIGTSTP,
    signal.SIGURG,
    signal.SIGXCPU,
    signal.SIGXFSZ,
    signal.SIGVTALRM,
    signal.SIGPROF,
    signal.SIGIO,
    signal.SIGPWR,
    signal.SIGSYS,
]
# Sent natively only: QEMU user mode (checked with 10.0) leaves these unblocked on the host, in its
# main thread or its RCU thread, for its own fault handling. Even a bare aarch64 program that blocks
# every signal loses kill -BUS and kill -SEGV, and dies from kill -ILL and kill -FPE (SIGSEGV in
# QEMU) and from kill -ABRT (QEMU aborts), so under QEMU they say nothing about the init.
FAULT_SIGNALS = [signal.SIGILL, signal.SIGABRT, signal.SIGBUS, signal.SIGFPE, signal.SIGSEGV]
SETTLE_SECONDS = 0.3  # long enough for a forwarded signal to arrive if it wrongly were


def token_warning(token: str, reason: str) -> str:
    return f"mini-init: warning: EP_SIGNALS token '{token}' {reason}, skipped"


def assert_init_neither_stopped_nor_dead(run: InitRun) -> None:
    assert procfs.is_alive(run.init_pid), f"the init died: {run.stderr_text()!r}"
    assert not procfs.is_stopped(run.init_pid), "the init is stopped"


@pytest.mark.parametrize(
    "number",
    [signal.SIGTERM, signal.SIGUSR1, signal.SIGHUP, signal.SIGWINCH],
    ids=lambda number: number.name,
)
def test_forwarded_signal_reaches_child_and_grandchildren(
    mini_init: InitLauncher, number: signal.Signals
) -> None:
    recorder = SignalRecorder(mini_init.workdir)
    run = mini_init.start(
        recorder.command(3, signal.SIGUSR1, signal.SIGHUP, signal.SIGWINCH, signal.SIGTERM)
    )
    recorder.wait_ready(4)

    run.send(number)

    recorder.wait_received(number, 4)
    if number != signal.SIGTERM:
        run.send(signal.SIGTERM)
    assert run.wait().exit_code == 0


def test_every_signal_of_the_default_set_is_forwarded(mini_init: InitLauncher) -> None:
    recorder = SignalRecorder(mini_init.workdir)
    run = mini_init.start(recorder.command(1, *FORWARDED_BY_DEFAULT, signal.SIGTERM))
    recorder.wait_ready(2)

    for number in FORWARDED_BY_DEFAULT:
        run.send(number)
        recorder.wait_received(number, 2)

    run.send(signal.SIGTERM)
    assert run.wait().exit_code == 0


def test_unforwarded_signals_are_dropped_and_never_stop_or_kill_the_init(
    target: Target, mini_init: InitLauncher
) -> None:
    dropped = NOT_FORWARDED_BY_DEFAULT + (FAULT_SIGNALS if target.arch == "amd64" else [])
    recorder = SignalRecorder(mini_init.workdir)
    run = mini_init.start(
        recorder.command(1, *dropped, signal.SIGCHLD, signal.SIGTERM), options=["-v"]
    )
    recorder.wait_ready(2)

    for number in [*dropped, signal.SIGCHLD]:
        run.send(number)
    for number in dropped:
        run.wait_for_event(f"event=signal action=drop sig={number}")
    time.sleep(SETTLE_SECONDS)

    assert_init_neither_stopped_nor_dead(run)
    forwarded_anyway = [
        number for number in [*dropped, signal.SIGCHLD] if recorder.receivers(number)
    ]
    assert forwarded_anyway == []
    run.send(signal.SIGTERM)
    assert run.wait().exit_code == 0


def test_job_control_signals_are_forwarded_without_stopping_the_init(
    mini_init: InitLauncher,
) -> None:
    recorder = SignalRecorder(mini_init.workdir)
    run = mini_init.start(recorder.command(1, signal.SIGTTIN, signal.SIGTTOU, signal.SIGTERM))
    recorder.wait_ready(2)

    for number in (signal.SIGTTIN, signal.SIGTTOU):
        run.send(number)
        recorder.wait_received(number, 2)

    assert_init_neither_stopped_nor_dead(run)
    run.send(signal.SIGTERM)
    assert run.wait().exit_code == 0


def test_signals_during_restart_backoff_are_dropped_without_harm(mini_init: InitLauncher) -> None:
    run = mini_init.start(
        ["sh", "-c", "kill -s KILL $$"],
        options=["-v"],
        env={"EP_RESTART_ENABLED": "1", "EP_RESTART_BACKOFF_SECONDS": "60"},
    )
    run.wait_for_event("event=restart")

    for number in (signal.SIGUSR1, signal.SIGTSTP, signal.SIGTTIN, signal.SIGWINCH):
        run.send(number)
        run.wait_for_event(f"event=signal action=drop sig={number}")

    assert_init_neither_stopped_nor_dead(run)
    run.send(signal.SIGTERM)
    assert run.wait(timeout=10).exit_code == 128 + signal.SIGKILL


def test_ep_signals_adds_names_prefixed_names_and_numbers(
    target: Target, mini_init: InitLauncher
) -> None:
    added = [signal.SIGURG, signal.SIGPROF, signal.SIGPWR, signal.SIGTSTP]
    recorder = SignalRecorder(mini_init.workdir)
    run = mini_init.start(
        recorder.command(1, *added, signal.SIGXCPU, signal.SIGTERM),
        options=["-v"],
        env={"EP_SIGNALS": " URG ,SIGPROF,30,, TSTP"},
    )
    recorder.wait_ready(2)

    for number in added:
        run.send(number)
        recorder.wait_received(number, 2)
    run.send(signal.SIGXCPU)
    run.wait_for_event(f"event=signal action=drop sig={signal.SIGXCPU}")
    time.sleep(SETTLE_SECONDS)

    assert recorder.receivers(signal.SIGXCPU) == 0
    run.send(signal.SIGTERM)
    finished = run.wait()
    assert finished.exit_code == 0
    assert finished.messages == target.start_warnings


def test_real_time_token_forwards_sigrtmin_plus_n(target: Target, mini_init: InitLauncher) -> None:
    if target.arch == "arm64":
        pytest.skip("QEMU user mode remaps real-time signals")
    rtmin, rtmax = signal.SIGRTMIN, signal.SIGRTMAX
    recorder = SignalRecorder(mini_init.workdir)
    run = mini_init.start(
        recorder.command(1, rtmin + 1, rtmax, signal.SIGTERM),
        env={
            "EP_SIGRTMIN": str(rtmin),
            "EP_SIGRTMAX": str(rtmax),
            "EP_SIGNALS": f"RT1,RT{rtmax - rtmin}",
        },
    )
    recorder.wait_ready(2)

    for number in (rtmin + 1, rtmax):
        run.send(number)
        recorder.wait_received(number, 2)

    run.send(signal.SIGTERM)
    finished = run.wait()
    assert finished.exit_code == 0
    assert finished.messages == target.start_warnings


VALID_RT_RANGE = {"EP_SIGRTMIN": "34", "EP_SIGRTMAX": "64"}


@pytest.mark.parametrize(
    ("value", "extra", "warnings"),
    [
        pytest.param("FOO", {}, [token_warning("FOO", "is not a signal")], id="unknown-name"),
        pytest.param("term", {}, [token_warning("term", "is not a signal")], id="lower-case"),
        pytest.param("SIG", {}, [token_warning("SIG", "is not a signal")], id="bare-prefix"),
        pytest.param("0", {}, [token_warning("0", "is not a signal")], id="zero"),
        pytest.param("65", {}, [token_warning("65", "is not a signal")], id="above-64"),
        pytest.param("-1", {}, [token_warning("-1", "is not a signal")], id="negative"),
        pytest.param("1x", {}, [token_warning("1x", "is not a signal")], id="digits-then-letters"),
        pytest.param(
            "A" * 40, {}, [token_warning("A" * 31, "is not a signal")], id="long-token-cut"
        ),
        pytest.param(
            " FOO , BAR ",
            {},
            [token_warning("FOO", "is not a signal"), token_warning("BAR", "is not a signal")],
            id="trimmed-in-order",
        ),
        pytest.param(
            "9,KILL,SIGKILL",
            {},
            [
                token_warning("9", "cannot be forwarded"),
                token_warning("KILL", "cannot be forwarded"),
                token_warning("SIGKILL", "cannot be forwarded"),
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
            [token_warning("RT1", "needs EP_SIGRTMIN and EP_SIGRTMAX")],
            id="rt-min-above-max",
        ),
        pytest.param(
            "RT1",
            {"EP_SIGRTMIN": "34", "EP_SIGRTMAX": "34"},
            [token_warning("RT1", "needs EP_SIGRTMIN and EP_SIGRTMAX")],
            id="rt-min-equals-max",
        ),
        pytest.param(
            "RT31", VALID_RT_RANGE, [token_warning("RT31", "is not a signal")], id="rt-beyond-max"
        ),
        pytest.param(
            "RTX", VALID_RT_RANGE, [token_warning("RTX", "is not a signal")], id="rt-letters"
        ),
        pytest.param("URG, 23 ,SIGWINCH,,RT0,RT30", VALID_RT_RANGE, [], id="all-valid"),
    ],
)
def test_bad_ep_signals_tokens_warn_exactly_and_are_skipped(
    target: Target, mini_init: InitLauncher, value: str, extra: dict[str, str], warnings: list[str]
) -> None:
    finished = mini_init.run(["true"], env={"EP_SIGNALS": value, **extra})

    assert finished.exit_code == 0
    assert finished.messages == [*warnings, *target.start_warnings]


def test_valid_tokens_apply_despite_bad_ones(target: Target, mini_init: InitLauncher) -> None:
    recorder = SignalRecorder(mini_init.workdir)
    run = mini_init.start(
        recorder.command(0, signal.SIGURG, signal.SIGTERM), env={"EP_SIGNALS": "FOO,URG,KILL"}
    )
    recorder.wait_ready(1)

    run.send(signal.SIGURG)
    recorder.wait_received(signal.SIGURG, 1)

    run.send(signal.SIGTERM)
    finished = run.wait()
    assert finished.exit_code == 0
    assert finished.messages == [
        token_warning("FOO", "is not a signal"),
        token_warning("KILL", "cannot be forwarded"),
        *target.start_warnings,
    ]
