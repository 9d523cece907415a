"""Runs the scenario apps in containers through the docker SDK: every wait is bounded, and every
container started is labelled and removed, even when a test fails."""

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker
from container_checks import Finished, emulated, platforms_of
from docker.models.containers import Container
from host_proc import pid_namespace, process_state
from mini_init_tools.platforms import arch_of
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import ReadTimeout
from scenario_images import scenario_image

# Every container a scenario starts carries these labels: the scenario, and the pid of the pytest
# session that started it, so a session removes its own containers and those of sessions that are
# gone (an interrupted run), never those of a session still running beside it.
SCENARIO_LABEL = "org.mini-init.test.scenario"
SESSION_LABEL = "org.mini-init.test.session"
# Variants the scenarios run on; distroless-nonroot joins where the user matters (hardened).
CORE_VARIANTS = ("scratch", "distroless", "alpine")
# Every variant holds the same init binary (test_published_images checks its bytes), which
# tests/init runs on every architecture; a variant changes only the base image (user, files, shell).
# Scenarios the base cannot change run on this one variant, on every platform; test_hardened runs
# the core ones on every variant as 65532, test_compose stops an app on every variant.
ONE_VARIANT = ("scratch",)
# The app prints its ready line within this (QEMU included); an exit is awaited at most this long.
READY_TIMEOUT_SECONDS = 30.0
EXIT_TIMEOUT_SECONDS = 60.0
POLL_SECONDS = 0.05
DOCKER_STOP_TIMEOUT_SECONDS = 10
APPS = "/apps"
# The images' entrypoint with -v: the init logs one key=value line per event, for the assertions'
# messages and for counting reaps.
VERBOSE_INIT_ENTRYPOINT = ["/sbin/mini-init", "-v", "--"]


@dataclass(frozen=True)
class ImageTarget:
    """One scenario image (a variant with the apps) on one platform."""

    variant: str
    platform: str

    @property
    def image(self) -> str:
        return scenario_image(self.variant)

    @property
    def arch(self) -> str:
        return arch_of(self.platform)

    @property
    def emulated(self) -> bool:
        """True when the container runs under QEMU user mode (arm64, riscv64 on this host)."""
        return emulated(self.platform)

    def __str__(self) -> str:
        return f"{self.variant}-{self.arch}"


def image_targets(variants: tuple[str, ...] = CORE_VARIANTS) -> list[ImageTarget]:
    """Every variant on every platform it has, for `pytest.mark.parametrize(..., ids=str)`."""
    return [
        ImageTarget(variant, platform) for variant in variants for platform in platforms_of(variant)
    ]


def app_command(script: str, *arguments: str) -> list[str]:
    """The command that runs one of the apps of fixtures/scenario-image/apps with busybox sh."""
    return ["sh", f"{APPS}/{script}", *arguments]


class AppContainer:
    """A started container running an app under the image's init."""

    def __init__(self, container: Container) -> None:
        self.container = container

    @property
    def short_id(self) -> str:
        return str(self.container.short_id)

    def output(self) -> str:
        """Everything the container wrote so far, stdout and stderr."""
        logs: bytes = self.container.logs(stdout=True, stderr=True)
        return logs.decode(errors="replace")

    def wait_for_output(self, text: str, timeout: float = READY_TIMEOUT_SECONDS) -> str:
        """Wait until `text` appears in the output; fail with the output if it does not in time."""
        deadline = time.monotonic() + timeout
        while True:
            output = self.output()
            if text in output:
                return output
            if time.monotonic() > deadline:
                self.container.reload()
                raise AssertionError(
                    f"{text!r} not seen in {timeout:.0f} s (container {self.container.status}); "
                    f"output:\n{output}"
                )
            time.sleep(POLL_SECONDS)

    def init_host_pid(self) -> int:
        """The host PID of the container's PID 1 (the init; under QEMU, the emulator running it)."""
        self.container.reload()
        pid = int(self.container.attrs["State"]["Pid"])
        assert pid > 0, f"container {self.short_id} is not running: {self.container.status}"
        return pid

    def init_pid_namespace(self) -> str:
        return pid_namespace(self.init_host_pid())

    def init_cpu_seconds(self) -> float:
        """utime + stime of the container's init, from the host's /proc/<pid>/stat."""
        return process_state(self.init_host_pid()).cpu_seconds

    def send_signal(self, signal: str) -> None:
        """`docker kill -s SIGNAL`: the engine signals the container's PID 1."""
        self.container.kill(signal=signal)

    def timed_stop(self, timeout: int = DOCKER_STOP_TIMEOUT_SECONDS) -> float:
        """`docker stop -t timeout`; the seconds it took."""
        started = time.monotonic()
        self.container.stop(timeout=timeout)
        return time.monotonic() - started

    def wait_for_exit(self, timeout: float = EXIT_TIMEOUT_SECONDS) -> int:
        """The container's exit status, waiting at most `timeout` seconds for it to end."""
        try:
            return int(self.container.wait(timeout=timeout)["StatusCode"])
        except (ReadTimeout, RequestsConnectionError):
            raise AssertionError(
                f"container {self.short_id} still running after {timeout:.0f} s; output:\n"
                f"{self.output()}"
            ) from None

    def state(self) -> dict[str, Any]:
        """docker inspect's State of the container."""
        self.container.reload()
        return dict(self.container.attrs["State"])


class ScenarioContainers:
    """Starts scenario containers and removes each of them (forced) when the test ends."""

    def __init__(self, client: docker.DockerClient) -> None:
        self.client = client
        self._started: list[Container] = []

    def start(self, target: ImageTarget, command: list[str], **options: Any) -> AppContainer:
        """Start `command` detached in the target's image under the image's init."""
        labels = {
            SCENARIO_LABEL: str(target), SESSION_LABEL: str(os.getpid()), **options.pop("labels", {})
        }
        container = self.client.containers.run(
            target.image, command, platform=target.platform, detach=True, labels=labels, **options
        )
        self._started.append(container)
        return AppContainer(container)

    def run_to_exit(
        self, target: ImageTarget, command: list[str], timeout: float = EXIT_TIMEOUT_SECONDS,
        **options: Any,
    ) -> Finished:
        """Run `command` until the container ends by itself (at most `timeout` seconds)."""
        app = self.start(target, command, **options)
        exit_code = app.wait_for_exit(timeout)
        return Finished(exit_code, app.container.logs(stdout=True, stderr=True))

    def remove_all(self) -> None:
        for container in self._started:
            remove_quietly(container)
        self._started.clear()


def remove_quietly(container: Container) -> None:
    """Force-remove a container that may already be gone or be going (the session's last cleanup
    retries whatever is left)."""
    try:
        container.remove(force=True)
    except docker.errors.APIError:  # NotFound, or 409: removal already in progress
        pass


def _session_is_gone(session: str) -> bool:
    return not session.isdigit() or not Path("/proc", session).exists()


def scenario_containers_to_remove(client: docker.DockerClient) -> Iterator[Container]:
    """Every container, running or not, a scenario started in this session, or in one that ended
    without removing it."""
    for container in client.containers.list(all=True, filters={"label": SCENARIO_LABEL}):
        session = container.labels.get(SESSION_LABEL, "")
        if session == str(os.getpid()) or _session_is_gone(session):
            yield container
