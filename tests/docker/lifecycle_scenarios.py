"""Shared pieces of the lifecycle suites (terminal, docker exec drain, stalled log, signals, grace):
the lifecycle apps' volume, deadline bounds per platform, and one scenario run on both platforms at
once, each platform's outcome kept for its own test."""

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Generic, TypeVar

from container_checks import PLATFORMS

LIFECYCLE_APPS = Path(__file__).parent / "fixtures" / "lifecycle-apps"
CONTAINER_APPS_DIR = "/test-apps"
LIFECYCLE_APPS_VOLUME = {str(LIFECYCLE_APPS): {"bind": CONTAINER_APPS_DIR, "mode": "ro"}}
# How long after a deadline of the init (a grace period) `docker stop` may return: docker's own round
# trips take about 0.15 s natively, the same under QEMU; the init's timer itself is exact to a few
# ms. Natively the bound catches a timer 0.5 s late; QEMU gets a wider one on a loaded machine.
NATIVE_DEADLINE_SLACK_SECONDS = 0.45
EMULATED_DEADLINE_SLACK_SECONDS = 1.0
NATIVE_ARCH = {"x86_64": "amd64", "aarch64": "arm64", "riscv64": "riscv64"}[os.uname().machine]

Outcome = TypeVar("Outcome")
Measured = TypeVar("Measured")
POLL_SECONDS = 0.1


def lifecycle_app(script: str, *arguments: str) -> list[str]:
    """The command that runs one of fixtures/lifecycle-apps with sh (mounted at /test-apps)."""
    return ["sh", f"{CONTAINER_APPS_DIR}/{script}", *arguments]


def arch_of(platform: str) -> str:
    return platform.removeprefix("linux/")


def emulated(platform: str) -> bool:
    """The platform's binaries run under QEMU user mode here."""
    return arch_of(platform) != NATIVE_ARCH


def assert_ended_at_deadline(seconds: float, deadline: float, platform: str, what: str) -> None:
    """`seconds` (a docker stop, say) ended at `deadline`: not before, and within the platform's
    slack after it."""
    slack = EMULATED_DEADLINE_SLACK_SECONDS if emulated(platform) else NATIVE_DEADLINE_SLACK_SECONDS
    assert deadline <= seconds < deadline + slack, (
        f"{what} took {seconds:.2f} s on {platform}: expected {deadline} s (+ at most {slack} s)"
    )


class PerPlatform(Generic[Outcome]):
    """What one scenario gave on each platform: the outcome, or the error it raised, which is raised
    again only for the test that asks for that platform."""

    def __init__(self, results: dict[str, Outcome | BaseException]) -> None:
        self._results = results

    def __getitem__(self, platform: str) -> Outcome:
        result = self._results[platform]
        if isinstance(result, BaseException):
            raise result
        return result


def on_every_platform(
    scenario: Callable[[str], Outcome], platforms: tuple[str, ...] = PLATFORMS
) -> PerPlatform[Outcome]:
    """Run `scenario(platform)` for every platform at the same time (the containers mostly wait, so
    waits overlap instead of adding up); each platform's outcome or error."""

    def run(platform: str) -> Outcome | BaseException:
        try:
            return scenario(platform)
        except Exception as error:  # noqa: BLE001 - kept for the platform's own test
            return error

    with ThreadPoolExecutor(max_workers=len(platforms)) as pool:
        results = dict(zip(platforms, pool.map(run, platforms), strict=True))
    return PerPlatform(results)


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
