"""Signal forwarding latency: from kill(init, SIGUSR1) until the app's sigwaitinfo returns."""

import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypedDict

from mini_init_tools.bench.contenders import Contender, round_robin
from mini_init_tools.bench.summary import Summary, summarize
from mini_init_tools.errors import ToolError

WAIT_FOR_SIGNALS = Path(__file__).parent / "helpers" / "wait_for_signals.py"
ANSWER_TIMEOUT_SECONDS = 10.0
STOP_TIMEOUT_SECONDS = 5.0


class SignalResult(TypedDict):
    """Every latency of one init, in nanoseconds, and their summary."""

    latency_ns: list[int]
    summary: Summary


def _read_answer(contender: Contender, app: subprocess.Popen[bytes]) -> bytes:
    """The helper's next line (each is one small write, so one read returns it whole)."""
    assert app.stdout is not None
    ready, _, _ = select.select([app.stdout], [], [], ANSWER_TIMEOUT_SECONDS)
    answer = os.read(app.stdout.fileno(), 64) if ready else b""
    if not answer:
        raise ToolError(
            f"{contender.name} did not forward SIGUSR1 to its app "
            f"within {ANSWER_TIMEOUT_SECONDS:.0f} s"
        )
    return answer


def _stop(app: subprocess.Popen[bytes]) -> None:
    """SIGTERM the init (it forwards it and the helper dies); SIGKILL if that takes too long."""
    if app.poll() is None:
        app.terminate()
    try:
        app.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        app.kill()
        app.wait()


@contextmanager
def _on_one_cpu() -> Iterator[None]:
    """Run the bench, and every init and app it starts, on one CPU.

    Otherwise where the scheduler happens to place each long-lived pair decides the latency (same
    binary: 14 µs on one run, 43 µs on the next), not the init.
    """
    allowed = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {max(allowed)})
    try:
        yield
    finally:
        os.sched_setaffinity(0, allowed)


def _send_and_time(
    contenders: list[Contender], apps: dict[str, subprocess.Popen[bytes]], signals: int
) -> dict[str, list[int]]:
    """Nanoseconds from just before each kill() until the app's answer, per init, round-robin."""
    for contender in contenders:
        _read_answer(contender, apps[contender.name])  # "ready": SIGUSR1 is blocked in the app
    latencies: dict[str, list[int]] = {contender.name: [] for contender in contenders}
    for contender in round_robin(contenders, signals):
        app = apps[contender.name]
        sent = time.monotonic_ns()
        os.kill(app.pid, signal.SIGUSR1)
        latencies[contender.name].append(int(_read_answer(contender, app)) - sent)
    return latencies


def measure_signal_latency(contenders: list[Contender], signals: int) -> dict[str, SignalResult]:
    """All inits side by side on one CPU; each repetition sends one SIGUSR1 to each in turn."""
    apps: dict[str, subprocess.Popen[bytes]] = {}
    with _on_one_cpu():
        try:
            for contender in contenders:
                apps[contender.name] = subprocess.Popen(
                    contender.command(sys.executable, "-I", "-S", str(WAIT_FOR_SIGNALS)),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                )
            latencies = _send_and_time(contenders, apps, signals)
        finally:
            for app in apps.values():
                _stop(app)
    return {
        name: SignalResult(latency_ns=values, summary=summarize(values))
        for name, values in latencies.items()
    }
