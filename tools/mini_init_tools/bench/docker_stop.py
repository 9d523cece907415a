"""`docker stop` latency in each mini-init image variant (amd64) against `docker run --init`."""

import time
from itertools import product
from pathlib import Path
from typing import TypedDict

from docker.client import DockerClient
from docker.errors import DockerException
from docker.models.containers import Container
from requests.exceptions import RequestException

from mini_init_tools.bench.contenders import round_robin
from mini_init_tools.bench.local_images import connect_with_images, variant_image
from mini_init_tools.bench.summary import Summary, summarize
from mini_init_tools.errors import ToolError
from mini_init_tools.images import VARIANTS

# Static and mode 0755, so it runs in any image and as any user (distroless-nonroot is 65532);
# `-P` pauses until SIGTERM.
PAUSE_APP = Path("/usr/bin/catatonit")
PAUSE_IN_CONTAINER = "/bench/pause"
PLATFORM = "linux/amd64"
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
    """Run the pause app under `init` in the variant's amd64 image; seconds `stop()` then takes."""
    options = (
        {"command": [PAUSE_IN_CONTAINER, "-P"]}
        if init == WITH_MINI_INIT
        else {"entrypoint": [PAUSE_IN_CONTAINER, "-P"], "init": True}
    )
    container = client.containers.run(
        variant_image(variant),
        detach=True,
        platform=PLATFORM,
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
    """`runs` stops per variant and init, interleaved; or why it was skipped (a variant's image
    missing skips them all: the table is meant to cover every variant)."""
    client = connect_with_images([variant_image(variant) for variant in VARIANTS])
    if isinstance(client, str):
        return DockerStopResult(skipped=client)
    cases = list(product(VARIANTS, (WITH_MINI_INIT, WITH_DOCKER_INIT)))
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
