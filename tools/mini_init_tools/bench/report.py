"""Turns a results file into tables: rich ones for the terminal, docs/benchmarks.md for the docs."""

from dataclasses import dataclass
from typing import Any

from rich.markup import escape
from rich.table import Table

from mini_init_tools.bench.contenders import REFERENCE
from mini_init_tools.bench.image_sizes import SCRATCH, base_of
from mini_init_tools.bench.local_images import IMAGES_COMMAND
from mini_init_tools.bench.size import OTHER_ARCHITECTURES, mini_init_of
from mini_init_tools.bench.targets import judge_targets
from mini_init_tools.images import VARIANTS

Results = dict[str, Any]


@dataclass(frozen=True)
class TableData:
    """A titled table of text cells, rendered the same way in the terminal and in Markdown."""

    title: str
    headers: tuple[str, ...]
    rows: list[list[str]]


def _times(ratio: float | None) -> str:
    return "n/a" if ratio is None else f"{ratio:.3g}×"


def _microseconds(nanoseconds: float) -> str:
    return f"{nanoseconds / 1000:,.0f}"


def _median_and_spread(summary: dict[str, float], scale: float, digits: int) -> str:
    """`median (IQR spread)`, each multiplied by `scale` into the unit the header names."""
    median, spread = summary["median"] * scale, summary["iqr"] * scale
    return f"{median:,.{digits}f} (IQR {spread:,.{digits}f})"


def targets_table(results: Results) -> TableData:
    """Each target with the measured figure and the honest verdict."""
    rows = [
        [verdict.target, verdict.measured, verdict.verdict] for verdict in judge_targets(results)
    ]
    return TableData("Targets", ("target", "measured", "verdict"), rows)


def size_and_memory_table(results: Results) -> TableData:
    """Binary size and the init's own peak memory, each with its ratio to the reference."""
    sizes, memory = results["size_bytes"], results["memory"]
    reference_memory = memory[REFERENCE]["summary"]["median"]
    rows = [
        [
            name,
            f"{sizes[name]:,}",
            _times(sizes[name] / sizes[REFERENCE]),
            f"{memory[name]['summary']['median']:,g}",
            _times(memory[name]["summary"]["median"] / reference_memory),
        ]
        for name in results["inits"]
    ]
    rows += [
        [name, f"{sizes[name]:,}", _times(sizes[name] / sizes[REFERENCE]), "", ""]
        for name in map(mini_init_of, OTHER_ARCHITECTURES)
        if name in sizes  # a results file from before riscv64 has arm64 only
    ]
    headers = ("init", "binary bytes", f"× {REFERENCE}", "VmHWM kB", f"× {REFERENCE}")
    return TableData("Binary size and own peak memory", headers, rows)


def image_sizes_table(results: Results) -> TableData:
    """Each image per platform next to its bare base, in bytes; or the reason it was skipped."""
    title, image_sizes = "Image sizes (bytes)", results["image_sizes"]
    if "skipped" in image_sizes:
        return TableData(title, ("result",), [[image_sizes["skipped"]]])
    rows = [
        [
            size["image"],
            size["platform"],
            f"{size['compressed_bytes']:,}",
            f"{size['uncompressed_bytes']:,}",
            f"{size['base_compressed_bytes']:,}",
            f"{size['base_uncompressed_bytes']:,}",
            f"{size['init_layer_compressed_bytes']:,} / {size['init_layer_uncompressed_bytes']:,}",
        ]
        for size in image_sizes["images"]
    ]
    headers = (
        "image",
        "platform",
        "compressed",
        "uncompressed",
        "base compressed",
        "base uncompressed",
        "init layer (compressed / uncompressed)",
    )
    return TableData(title, headers, rows)


def spawn_and_signals_table(results: Results) -> TableData:
    """Spawn time and overhead over /bin/true alone, and signal forwarding latency."""
    spawn, signals = results["spawn"], results["signals"]
    rows = [
        [
            name,
            _median_and_spread(spawn["inits"][name]["summary"], 1e-3, 0),
            _microseconds(spawn["inits"][name]["overhead_ns"]),
            _times(spawn["inits"][name]["overhead_vs_reference"]),
            _median_and_spread(signals[name]["summary"], 1e-3, 1),
        ]
        for name in results["inits"]
    ]
    rows.append(
        ["/bin/true alone", _median_and_spread(spawn["baseline"]["summary"], 1e-3, 0), "", "", ""]
    )
    headers = ("init", "spawn µs (IQR)", "overhead µs", f"× {REFERENCE}", "signal µs (IQR)")
    return TableData("Spawn overhead and signal forwarding latency", headers, rows)


def reaping_table(results: Results) -> TableData:
    """Per orphan count and init: time to exit, time after the last orphan, peak zombies."""
    rows = []
    for orphans, by_init in results["reaping"].items():
        for name, reaping in by_init.items():
            rows.append(
                [
                    f"{int(orphans):,}",
                    name,
                    _median_and_spread(reaping["seconds"], 1, 3),
                    _median_and_spread(reaping["drain_seconds"], 1e3, 1),
                    f"{reaping['peak_zombies']['maximum']:g}",
                ]
            )
    headers = (
        "orphans",
        "init",
        "time to exit s (IQR)",
        "after last orphan ms (IQR)",
        "peak zombies",
    )
    return TableData("Reaping as PID 1", headers, rows)


def docker_stop_table(results: Results) -> TableData:
    """`docker stop` ms per image variant (amd64) and init, or the reason it was skipped."""
    docker_stop = results["docker_stop"]
    if "skipped" in docker_stop:
        return TableData("docker stop (amd64)", ("result",), [[docker_stop["skipped"]]])
    rows = [
        [variant, init, _median_and_spread(series["summary"], 1e3, 1)]
        for variant, by_init in docker_stop["variants"].items()
        for init, series in by_init.items()
    ]
    return TableData("docker stop (amd64)", ("image variant", "init", "stop ms (IQR)"), rows)


def result_tables(results: Results) -> list[TableData]:
    """Every results table, in the order the terminal and the docs show them."""
    return [
        targets_table(results),
        size_and_memory_table(results),
        image_sizes_table(results),
        spawn_and_signals_table(results),
        reaping_table(results),
        docker_stop_table(results),
    ]


def terminal_tables(results: Results) -> list[Table]:
    """The result tables as rich tables (cells escaped: `[stack]` is text, not markup; long cells
    fold rather than lose their end on a narrow terminal)."""
    rendered = []
    for data in result_tables(results):
        table = Table(title=data.title)
        for header in data.headers:
            table.add_column(header, overflow="fold")
        for row in data.rows:
            table.add_row(*(escape(cell) for cell in row))
        rendered.append(table)
    return rendered


def markdown_table(data: TableData) -> str:
    """A GitHub-flavoured Markdown table (pipes in cells escaped)."""
    lines = [
        "| " + " | ".join(data.headers) + " |",
        "|" + "---|" * len(data.headers),
        *("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in data.rows),
    ]
    return "\n".join(lines)


def _markdown_section(heading: str, data: TableData) -> str:
    return f"{heading} {data.title}\n\n{markdown_table(data)}"


def _machine_table(results: Results) -> TableData:
    machine, plan = results["machine"], results["plan"]
    rows = [
        ["CPU", f"{machine['cpu_model']}, {machine['cores']} cores"],
        ["memory", f"{machine['memory_bytes'] / 2**30:.1f} GiB"],
        ["kernel", machine["kernel"]],
        ["OS", machine["os"]],
        ["Python", machine["python"]],
        ["date (UTC)", machine["date"]],
        [
            "run",
            (
                f"{plan['name']}: VmHWM ×{plan['memory_runs']}, spawn ×{plan['spawn_runs']}, "
                f"signals ×{plan['signals']}, reaping ×{plan['reaping_runs']} at "
                f"{', '.join(f'{count:,}' for count in plan['orphan_counts'])} orphans, "
                f"docker stop ×{plan['docker_runs']}; took {results['duration_seconds']:.0f} s"
            ),
        ],
    ]
    return TableData("Machine", ("property", "value"), rows)


def _versions_table(results: Results) -> TableData:
    rows = [
        [name, init["version"], f"`{init['binary']}`", f"`{' '.join(init['command'])}`"]
        for name, init in results["inits"].items()
    ]
    return TableData("Inits compared", ("init", "version", "binary", "command"), rows)


STANDIN_BASES = "\n".join(
    f"  - {variant}: `{base_of(variant)}`" for variant in VARIANTS if base_of(variant) != SCRATCH
)
METHOD = f"""\
- **The floor** is the least an init can do, built at the start of the run from
  `tools/mini_init_tools/bench/floor/floor.asm` with mini-init's own linker flags: block every
  signal, fork, execute the app by absolute path, then wait for signals: reap on SIGCHLD and exit
  with the app's status, send any other signal on to the app. No options, messages, grace period
  or process group. Its row in every table is how far each init is from the physical limit.
- **Binary size**: bytes on disk. mini-init for amd64, arm64 and riscv64 (built by
  `mini-init-tools build` at the start of the run); the peers are Debian's packages.
- **VmHWM**: the init (not its child) supervises `/bin/sleep 0.2`; `/proc/<init>/status` is read every
  5 ms and the last reading before the app exits is kept (VmHWM only grows). The pages resident at
  that moment, by mapping, are in the JSON.
- **Image sizes**: every `mini-init:<variant>` image per platform, read from the local containerd
  image store (`ctr content get`): compressed = the sum of the layer sizes in the platform's
  manifest (the gzip blobs a pull downloads); uncompressed = the sum of the layer tars' sizes, each
  blob decompressed and its bytes counted (tar headers and padding included; these bytes hash to the
  config's `diff_ids`). The base's layers must be the image's first layers; the rest is the init
  layer (`COPY --link` of `/sbin/mini-init`). Each base is measured the same way (scratch is 0). It
  is the stand-in `--standin-bases` builds the variant on, made of Debian packages (busybox-static
  for alpine) since no real base can be pulled here, so its size differs from the real base's:
{STANDIN_BASES}
- **Spawn overhead**: `INIT -- /bin/true` and `/bin/true` alone, spawned with `posix_spawn` and
  timed until `waitpid` returns, round-robin over the commands (the first command of each round
  rotates); overhead = median(init) − median(`/bin/true`). The inits are not PID 1 here; their
  warnings about it go to `/dev/null` for every init alike.
- **Signal forwarding**: every init supervises a Python app that blocks SIGUSR1 and waits in
  `sigwaitinfo`, then prints `time.monotonic_ns()`. The bench takes `monotonic_ns()` just before
  `kill(init, SIGUSR1)`; the latency includes the app's wake-up, the same for every init. All inits
  run side by side and the signals go round-robin; the bench, the inits and the apps share one CPU,
  since otherwise where the scheduler places each long-lived process decides the figure (the same
  binary measured 14 µs in one run and 43 µs in the next).
- **Reaping**: `unshare --pid --fork --mount-proc INIT -- python make_orphans.py N`; the helper
  double-forks N times (each grandchild exits at once and is re-parented to the init), prints the
  time and exits. Time to exit runs from the start to the init's exit; "after last orphan" from the
  helper's last fork to the init's exit. Zombies are counted every 5 ms among the init's
  descendants (every process of its namespace), walked through the host's
  `/proc/<pid>/task/<pid>/children` files. The helper's forks pace the run; the peak zombie count
  shows whether an init falls behind.
- **docker stop**: in the linux/amd64 image of every variant, the image's own init (its entrypoint)
  runs `catatonit -P` (static, pauses until SIGTERM; bind-mounted read-only, mode 0755, so
  distroless-nonroot's user 65532 runs it too) and `container.stop(timeout=10)` is timed once both
  processes run; the same app under `docker run --init` (Docker's tini) in the same image is the
  comparison. The init inside the images is the one `mini-init-tools images` last built, which
  may differ from this run's build. Without all four images, both Docker sections say which are
  missing and are skipped.
- Every measurement visits the inits round-robin within each repetition, so drift in the machine
  affects all of them alike."""


def render_markdown(results: Results, results_path: str, chart_name: str) -> str:
    """The whole docs/benchmarks.md page for `results`."""
    sections = [
        "# Benchmarks",
        (
            f"Generated by `mini-init-tools bench --update-docs` from `{results_path}`; rerun the"
            " bench to update this page, do not edit it by hand."
        ),
        (
            "## How to rerun\n\n"
            "    bash buildx/bootstrap.sh                          # peers, .venv, Docker, registry\n"
            f"    .venv/bin/{IMAGES_COMMAND}  # the four mini-init:<variant> images\n"
            "    .venv/bin/mini-init-tools bench --update-docs     # full run, then this page\n"
            "    .venv/bin/mini-init-tools bench --quick           # under a minute, noisier\n\n"
            "As root (reaping runs each init as PID 1 of a new PID namespace). Every run writes the"
            " JSON (every raw figure) and the chart to build/bench (`--output DIR` for elsewhere);"
            " only `--update-docs` rewrites this page and its chart."
        ),
        _markdown_section("##", _machine_table(results)),
        _markdown_section("##", targets_table(results)),
        _markdown_section("##", _versions_table(results)),
        (
            f"## Results\n\nRatios are against {REFERENCE} (what `docker run --init` runs here);"
            f" lower is better.\n\n![ratios to {REFERENCE}]({chart_name})"
        ),
        _markdown_section("###", size_and_memory_table(results)),
        _markdown_section("###", image_sizes_table(results)),
        _markdown_section("###", spawn_and_signals_table(results)),
        _markdown_section("###", reaping_table(results)),
        _markdown_section("###", docker_stop_table(results)),
        "## How each figure is measured\n\n" + METHOD,
    ]
    return "\n\n".join(sections) + "\n"
