"""Shared pieces of the lifecycle suites (terminal, docker exec drain, stalled log, signals, grace):
the lifecycle apps' volume, deadline bounds per platform, and one scenario run on both platforms at
once, each platform's outcome kept for its own test."""

import re
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import docker
from container_checks import emulated
from docker.models.containers import Container
from mini_init_tools.platforms import PLATFORMS
from scenario_containers import EXIT_TIMEOUT_SECONDS, READY_TIMEOUT_SECONDS, ScenarioContainers

LIFECYCLE_APPS = Path(__file__).parent / "fixtures" / "lifecycle-apps"
CONTAINER_APPS_DIR = "/test-apps"
LIFECYCLE_APPS_VOLUME = {str(LIFECYCLE_APPS): {"bind": CONTAINER_APPS_DIR, "mode": "ro"}}
# How long after a deadline of the init (a grace period) `docker stop` may return: docker's own round
# trips take about 0.15 s natively, the same under QEMU; the init's timer itself is exact to a few
# ms. Natively the bound catches a timer 0.5 s late; QEMU gets a wider one on a loaded machine.
NATIVE_DEADLINE_SLACK_SECONDS = 0.45
EMULATED_DEADLINE_SLACK_SECONDS = 1.0

# An app that needs longer than the init's default grace period (10 s) to flush after its TERM,
# stopped with a deadline well past that: the point is that nothing kills it at 10 s.
SLOW_FLUSH_SECONDS = 11
ORCHESTRATOR_TIMEOUT_SECONDS = 20
# docker stop returns within this after such a flush ends (QEMU included).
STOP_AFTER_FLUSH_SECONDS = 2.0

Outcome = TypeVar("Outcome")
Key = TypeVar("Key")
Measured = TypeVar("Measured")
POLL_SECONDS = 0.1


def lifecycle_app(script: str, *arguments: str) -> list[str]:
    """The command that runs one of fixtures/lifecycle-apps with sh (mounted at /test-apps)."""
    return ["sh", f"{CONTAINER_APPS_DIR}/{script}", *arguments]


def assert_ended_at_deadline(seconds: float, deadline: float, platform: str, what: str) -> None:
    """`seconds` (a docker stop, say) ended at `deadline`: not before, and within the platform's
    slack after it."""
    slack = EMULATED_DEADLINE_SLACK_SECONDS if emulated(platform) else NATIVE_DEADLINE_SLACK_SECONDS
    assert deadline <= seconds < deadline + slack, (
        f"{what} took {seconds:.2f} s on {platform}: expected {deadline} s (+ at most {slack} s)"
    )


class Outcomes(Generic[Key, Outcome]):
    """What one scenario gave for each key (a platform, a target): the outcome, or the error it
    raised, which is raised again only for the test that asks for that key."""

    def __init__(self, results: dict[Key, Outcome | BaseException]) -> None:
        self._results = results

    def __getitem__(self, key: Key) -> Outcome:
        result = self._results[key]
        if isinstance(result, BaseException):
            raise result
        return result


PerPlatform = Outcomes[str, Outcome]


def at_once(scenario: Callable[[Key], Outcome], keys: Sequence[Key]) -> Outcomes[Key, Outcome]:
    """Run `scenario(key)` for every key at the same time (the containers mostly wait, so waits
    overlap instead of adding up); each key's outcome or error."""

    def run(key: Key) -> Outcome | BaseException:
        try:
            return scenario(key)
        except Exception as error:  # noqa: BLE001 - kept for the key's own test
            return error

    with ThreadPoolExecutor(max_workers=len(keys)) as pool:
        results = dict(zip(keys, pool.map(run, keys), strict=True))
    return Outcomes(results)


@contextmanager
def module_containers(client: docker.DockerClient) -> Iterator[ScenarioContainers]:
    """Scenario containers for a module's fixture (the `containers` fixture is per test); every one
    is removed when the block ends."""
    containers = ScenarioContainers(client)
    try:
        yield containers
    finally:
        containers.remove_all()


def on_every_platform(scenario: Callable[[str], Outcome]) -> PerPlatform[Outcome]:
    """`at_once` over every platform."""
    return at_once(scenario, PLATFORMS)


def merged(*option_sets: dict[str, Any]) -> dict[str, Any]:
    """docker SDK run options merged; `volumes` and `environment` are combined, not replaced."""
    result: dict[str, Any] = {}
    for options in option_sets:
        for key, value in options.items():
            if key in ("volumes", "environment") and key in result:
                result[key] = {**result[key], **value}
            else:
                result[key] = value
    return result


def measure_until(
    measure: Callable[[], Measured], settled: Callable[[Measured], bool], timeout: float
) -> Measured:
    """`measure()` every POLL_SECONDS until `settled` says so or `timeout` passes; the last value."""
    deadline = time.monotonic() + timeout
    value = measure()
    while not settled(value) and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        value = measure()
    return value


def event_time(init_log: str, event: str) -> float:
    """The timestamp (`t=`) of the first -v line of the init holding `event` (e.g. `event=exit`)."""
    match = re.search(rf"^mini-init: t=(\d+\.\d+) [^\n]*{re.escape(event)}", init_log, re.MULTILINE)
    assert match, f"the init logged no {event!r}:\n{init_log[-2000:]}"
    return float(match.group(1))


def wait_for_log(container: Container, text: str, timeout: float = READY_TIMEOUT_SECONDS) -> str:
    """The container's output once it holds `text`; fails at once if the container has exited."""
    deadline = time.monotonic() + timeout
    while text not in (output := bytes(container.logs()).decode(errors="replace")):
        container.reload()
        if container.status == "exited" or time.monotonic() > deadline:
            raise AssertionError(f"{text!r} not seen (container {container.status}): {output}")
        time.sleep(0.05)
    return output


@dataclass(frozen=True)
class StoppedFlush:
    """How `docker stop` ended an app of flush_after_term.sh that flushes after its TERM."""

    stop_seconds: float
    exit_code: int
    flushed: str  # what the app wrote once flushed ('' if it never got there)
    output: str


def stop_flushing_app(container: Container, data: Path, timeout: int) -> StoppedFlush:
    """`docker stop -t timeout` once flush_after_term.sh (named app) is ready; what came of it."""
    wait_for_log(container, "app: ready")
    stopping = time.monotonic()
    container.stop(timeout=timeout)
    stop_seconds = time.monotonic() - stopping
    exit_code = int(container.wait(timeout=EXIT_TIMEOUT_SECONDS)["StatusCode"])
    flushed = data / "app.flushed"
    return StoppedFlush(
        stop_seconds,
        exit_code,
        flushed.read_text() if flushed.exists() else "",
        container.logs().decode(errors="replace"),
    )


def assert_slow_flush_finished(run: StoppedFlush) -> None:
    """The app flushed for SLOW_FLUSH_SECONDS and exited 0: nothing killed it at 10 s."""
    assert run.flushed == "app flushed\n", f"the app was killed before it flushed: {run.output}"
    assert run.exit_code == 0, run.output
    assert SLOW_FLUSH_SECONDS <= run.stop_seconds < SLOW_FLUSH_SECONDS + STOP_AFTER_FLUSH_SECONDS
