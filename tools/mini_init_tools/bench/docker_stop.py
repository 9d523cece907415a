"""`docker stop` latency per mini-init image variant against `docker run --init` (tini)."""

import time
from itertools import product
from pathlib import Path
from typing import TypedDict

import docker
from docker.client import DockerClient
from docker.errors import DockerException, ImageNotFound
from docker.models.containers import Container
from requests.exceptions import RequestException

from mini_init_tools.bench.contenders import round_robin
from mini_init_tools.bench.summary import Summary, summarize
from mini_init_tools.errors import ToolError

REPOSITORY = "mini-init"
PROBE_IMAGE = f"{REPOSITORY}:scratch"
NOT_BUILT = "skipped: images not built (run mini-init-tools images --standin-bases)"
NO_DAEMON = "skipped: Docker daemon not running (run mini-init-tools stack up)"
PAUSE_APP = Path("/usr/bin/catatonit")  # static, so it runs in any image; `-P` pauses until SIGTERM
PAUSE_IN_CONTAINER = "/bench/pause"
STOP_TIMEOUT_SECONDS = 10
START_TIMEOUT_SECONDS = 10.0
WITH_MINI_INIT = "mini-init"
WITH_DOCKER_INIT = "docker run --init"


class StopSeries(TypedDict):
    """Seconds each `container.stop()` took, and their summary."""

    seconds: list[float]
    summary: Summary


class DockerStopResult(TypedDict, total=False):
    """Per variant, the image's own init against Docker's; or why nothing was measured."""

    skipped: str
    variants: dict[str, dict[str, StopSeries]]


def _client_with_images() -> DockerClient | str:
    """A client when the daemon is up and the probe image exists, else why the run is skipped."""
    try:
        client = docker.from_env()
        client.images.get(PROBE_IMAGE)
    except ImageNotFound:
        return NOT_BUILT
    except (DockerException, RequestException):
        return NO_DAEMON
    return client


def _variants(client: DockerClient) -> list[str]:
    """One tag (the shortest) per local mini-init image with an entrypoint (the init)."""
    variants = []
    for image in client.images.list(name=REPOSITORY):
        tags = [tag.split(":", 1)[1] for tag in image.tags if tag.startswith(f"{REPOSITORY}:")]
        if tags and image.attrs["Config"].get("Entrypoint"):
            variants.append(min(tags, key=lambda tag: (len(tag), tag)))
    return sorted(variants)


def _wait_until_app_runs(container: Container) -> None:
    """The init and the app are both up (so the init's signal handling is ready) before stopping."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        container.reload()
        if container.status == "running" and len(container.top()["Processes"] or []) >= 2:
            return
        time.sleep(0.05)
    raise ToolError(
        f"container {container.short_id} did not start its app within {START_TIMEOUT_SECONDS:.0f} s"
    )


def time_stop(client: DockerClient, variant: str, init: str) -> float:
    """Start the pause app under `init` in the variant's image; seconds `container.stop()` takes."""
    options = (
        {"command": [PAUSE_IN_CONTAINER, "-P"]}
        if init == WITH_MINI_INIT
        else {"entrypoint": [PAUSE_IN_CONTAINER, "-P"], "init": True}
    )
    container = client.containers.run(
        f"{REPOSITORY}:{variant}",
        detach=True,
        volumes={str(PAUSE_APP): {"bind": PAUSE_IN_CONTAINER, "mode": "ro"}},
        **options,
    )
    try:
        _wait_until_app_runs(container)
        start = time.perf_counter()
        container.stop(timeout=STOP_TIMEOUT_SECONDS)
        return time.perf_counter() - start
    finally:
        container.remove(force=True)


def measure_docker_stop(runs: int) -> DockerStopResult:
    """`runs` stops per variant and init, interleaved; or why it was skipped."""
    client = _client_with_images()
    if isinstance(client, str):
        return DockerStopResult(skipped=client)
    cases = list(product(_variants(client), (WITH_MINI_INIT, WITH_DOCKER_INIT)))
    seconds: dict[tuple[str, str], list[float]] = {case: [] for case in cases}
    try:
        for variant, init in round_robin(cases, runs):
            seconds[(variant, init)].append(time_stop(client, variant, init))
    except (DockerException, RequestException, ToolError) as error:
        return DockerStopResult(skipped=f"skipped: Docker failed during the run ({error})")
    variants: dict[str, dict[str, StopSeries]] = {}
    for (variant, init), values in seconds.items():
        variants.setdefault(variant, {})[init] = StopSeries(
            seconds=values, summary=summarize(values)
        )
    return DockerStopResult(variants=variants)
