"""`mini-init-tools bench`: statistics, run order, verdicts, docs page, failures; no timing."""

import gzip
import os
import subprocess
from pathlib import Path
from typing import Any

import docker
import pytest
from docker.errors import DockerException, ImageNotFound
from mini_init_tools.bench import docker_stop, image_sizes
from mini_init_tools.bench import runner as bench_runner
from mini_init_tools.bench.contenders import FLOOR, Contender, round_robin, version_of
from mini_init_tools.bench.floor import build_floor
from mini_init_tools.bench.image_sizes import Layer, base_of, size_row, uncompressed_bytes
from mini_init_tools.bench.local_images import NO_DAEMON, missing_images_reason
from mini_init_tools.bench.reaping import count_zombies, measure_reaping
from mini_init_tools.bench.report import Results, render_markdown, terminal_tables
from mini_init_tools.bench.runner import BenchOutcome, Plan
from mini_init_tools.bench.signals import measure_signal_latency
from mini_init_tools.bench.summary import ratio, summarize
from mini_init_tools.bench.targets import judge_targets
from mini_init_tools.cli import app
from mini_init_tools.errors import ToolError
from mini_init_tools.platforms import DISTROLESS_PLATFORMS, PLATFORMS
from mini_init_tools.standins import STANDIN_FOR_VARIABLE
from typer.testing import CliRunner

runner = CliRunner()
NOT_BUILT = missing_images_reason(["mini-init:alpine"])
BASE = STANDIN_FOR_VARIABLE["ALPINE_IMAGE"]
BASE_LAYER = Layer("sha256:base", 1_000_000, 2_000_000)
INIT_LAYER = Layer("sha256:init", 4_000, 9_000)


def _series(median: float) -> dict[str, float]:
    return {
        "count": 3,
        "median": median,
        "q1": median,
        "q3": median,
        "iqr": 0.0,
        "minimum": median,
        "maximum": median,
    }


def _tiny_results(
    mini_init_bytes: int = 3_000, mini_init_peak_kb: float = 12, overhead_ratio: float = 0.3
) -> dict[str, Any]:
    """A results file as the bench writes it, for mini-init and tini-static only."""
    inits = {
        name: {
            "binary": f"/bin/{name}",
            "version": f"{name} 1.0",
            "command": [f"/bin/{name}", "--", "CMD", "..."],
        }
        for name in ("mini-init", "tini-static")
    }
    reaping = {
        "runs": [],
        "seconds": _series(0.7),
        "drain_seconds": _series(0.003),
        "peak_zombies": _series(2),
    }
    return {
        "schema": 2,
        "plan": {
            "name": "quick",
            "memory_runs": 3,
            "spawn_runs": 50,
            "signals": 30,
            "orphan_counts": [1000],
            "reaping_runs": 2,
            "docker_runs": 2,
        },
        "machine": {
            "cpu_model": "Test CPU",
            "cores": 2,
            "kernel": "6.1.0",
            "memory_bytes": 2**34,
            "os": "Debian",
            "python": "3.11.7",
            "date": "2026-01-01T00:00:00+00:00",
        },
        "inits": inits,
        "mini_init_sha256": {"amd64": "0" * 64, "arm64": "1" * 64, "riscv64": "2" * 64},
        "size_bytes": {
            "mini-init": mini_init_bytes,
            "tini-static": 708_080,
            "mini-init (arm64)": 3_500,
            "mini-init (riscv64)": 3_400,
        },
        "memory": {
            "mini-init": {
                "peak_kb": [mini_init_peak_kb],
                "summary": _series(mini_init_peak_kb),
                "resident_kb_by_mapping": {"[stack]": 8, "mini-init": 4},
            },
            "tini-static": {
                "peak_kb": [712],
                "summary": _series(712),
                "resident_kb_by_mapping": {"tini-static": 672},
            },
        },
        "spawn": {
            "runs": 50,
            "baseline": {"samples_ns": [500_000], "summary": _series(500_000)},
            "inits": {
                "mini-init": {
                    "samples_ns": [],
                    "summary": _series(500_000 + overhead_ratio * 500_000),
                    "overhead_ns": overhead_ratio * 500_000,
                    "overhead_vs_reference": overhead_ratio,
                },
                "tini-static": {
                    "samples_ns": [],
                    "summary": _series(1_000_000),
                    "overhead_ns": 500_000,
                    "overhead_vs_reference": 1.0,
                },
            },
        },
        "reaping": {"1000": {"mini-init": reaping, "tini-static": reaping}},
        "signals": {name: {"latency_ns": [10_000], "summary": _series(10_000)} for name in inits},
        "image_sizes": {
            "images": [
                size_row("mini-init:scratch", "linux/arm64", "scratch", [INIT_LAYER], []),
                size_row(
                    "mini-init:alpine", "linux/amd64", BASE, [BASE_LAYER, INIT_LAYER], [BASE_LAYER]
                ),
            ]
        },
        "docker_stop": {"skipped": NOT_BUILT},
        "duration_seconds": 42.0,
    }


def test_summary_gives_median_quartiles_and_spread() -> None:
    summary = summarize([1, 2, 3, 4, 5, 6, 7, 8, 9])
    assert (summary["median"], summary["q1"], summary["q3"], summary["iqr"]) == (5, 3, 7, 4)
    assert (summary["minimum"], summary["maximum"], summary["count"]) == (1, 9, 9)
    assert summarize([4])["iqr"] == 0
    with pytest.raises(ValueError):
        summarize([])


def test_ratio_to_a_zero_reference_is_none() -> None:
    assert ratio(1, 4) == 0.25
    assert ratio(1, 0) is None


def test_round_robin_visits_every_item_each_repetition_from_a_rotating_start() -> None:
    assert list(round_robin(["a", "b", "c"], 3)) == ["a", "b", "c", "b", "c", "a", "c", "a", "b"]


def test_targets_met_say_met() -> None:
    assert [verdict.verdict for verdict in judge_targets(_tiny_results())] == ["met"] * 5


def test_targets_not_met_give_the_number_and_the_reason() -> None:
    verdicts = judge_targets(
        _tiny_results(mini_init_bytes=6_744, mini_init_peak_kb=20, overhead_ratio=0.5)
    )
    size, _, _, memory, spawn = (verdict.verdict for verdict in verdicts)
    assert size == "not met: 6,744 bytes, 2,648 bytes over the budget"
    assert memory.startswith("not met: 20 kB, ") and "[stack] 8 kB" in memory
    assert spawn.startswith(
        "not met: 0.50×, 250 µs added to /bin/true against tini-static's 500 µs"
    )


def test_markdown_page_says_how_to_rerun_the_machine_the_targets_and_the_tables() -> None:
    page = render_markdown(
        _tiny_results(mini_init_bytes=5_000), "build/bench/results.json", "benchmarks.png"
    )
    assert "mini-init-tools bench --quick" in page
    assert "mini-init-tools bench --update-docs" in page
    assert "| CPU | Test CPU, 2 cores |" in page
    assert (
        "| binary (amd64) ≤ 4,096 bytes (4 KiB) | 5,000 bytes "
        "| not met: 5,000 bytes, 904 bytes over the budget |" in page
    )
    assert "| mini-init | 5,000 | 0.00706× | 12 | 0.0169× |" in page
    assert "| mini-init | 650 (IQR 0) | 150 | 0.3× | 10.0 (IQR 0.0) |" in page
    assert "| 1,000 | mini-init | 0.700 (IQR 0.000) | 3.0 (IQR 0.0) | 2 |" in page
    assert NOT_BUILT in page
    assert "![ratios to tini-static](benchmarks.png)" in page


def test_how_to_rerun_builds_the_images_before_the_bench() -> None:
    page = render_markdown(_tiny_results(), "build/bench/results.json", "benchmarks.png")
    rerun = page.split("## How to rerun", 1)[1].split("##", 1)[0]
    assert rerun.index("mini-init-tools images --standin-bases") < rerun.index(
        "mini-init-tools bench"
    )


def test_image_sizes_table_shows_each_image_next_to_its_base() -> None:
    page = render_markdown(_tiny_results(), "build/bench/results.json", "benchmarks.png")
    assert "### Image sizes (bytes)" in page
    assert (
        "| mini-init:alpine | linux/amd64 | 1,004,000 | 2,009,000 | 1,000,000 | 2,000,000 "
        "| 4,000 / 9,000 |" in page
    )
    assert "| mini-init:scratch | linux/arm64 | 4,000 | 9,000 | 0 | 0 | 4,000 / 9,000 |" in page


def test_skipped_docker_sections_say_why_in_the_page_and_the_terminal() -> None:
    results = _tiny_results()
    results["image_sizes"] = {"skipped": NO_DAEMON}
    page = render_markdown(results, "build/bench/results.json", "benchmarks.png")
    assert f"### Image sizes (bytes)\n\n| result |\n|---|\n| {NO_DAEMON} |" in page
    assert f"### docker stop (amd64)\n\n| result |\n|---|\n| {NOT_BUILT} |" in page
    titles = [table.title for table in terminal_tables(results)]
    assert "Image sizes (bytes)" in titles and "docker stop (amd64)" in titles


def test_the_init_layer_is_what_the_image_adds_to_its_base() -> None:
    row = size_row("mini-init:alpine", "linux/amd64", BASE, [BASE_LAYER, INIT_LAYER], [BASE_LAYER])
    assert (row["compressed_bytes"], row["uncompressed_bytes"]) == (1_004_000, 2_009_000)
    assert (row["base_compressed_bytes"], row["base_uncompressed_bytes"]) == (1_000_000, 2_000_000)
    assert (row["init_layer_compressed_bytes"], row["init_layer_uncompressed_bytes"]) == (
        4_000,
        9_000,
    )


def test_an_image_not_built_on_the_stand_in_base_says_how_to_rebuild() -> None:
    other_base = Layer("sha256:other", 1, 1)
    with pytest.raises(ToolError, match="not built on the local .*images --standin-bases"):
        size_row("mini-init:alpine", "linux/amd64", BASE, [other_base, INIT_LAYER], [BASE_LAYER])


def test_scratch_has_no_base_and_the_others_have_their_stand_in() -> None:
    assert base_of("scratch") == "scratch"
    assert base_of("alpine") == BASE
    assert base_of("distroless-nonroot").endswith("standin/distroless-static:debian12-nonroot")


def test_each_variant_is_measured_on_the_platforms_it_is_built_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """distroless has no riscv64 (Debian 12 has no such port): its rows stop at arm64."""
    every_platform = {platform: [BASE_LAYER, INIT_LAYER] for platform in PLATFORMS}
    no_riscv64 = {platform: [BASE_LAYER, INIT_LAYER] for platform in DISTROLESS_PLATFORMS}
    monkeypatch.setattr(
        image_sizes,
        "layers_by_platform",
        lambda _client, name: no_riscv64 if "distroless" in name else every_platform,
    )
    distroless = [row["platform"] for row in image_sizes._variant_sizes(None, "distroless")]
    alpine = [row["platform"] for row in image_sizes._variant_sizes(None, "alpine")]
    assert distroless == ["linux/amd64", "linux/arm64"]
    assert alpine == list(PLATFORMS)


def test_uncompressed_size_counts_the_decompressed_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        image_sizes, "read_local_content", lambda digest: gzip.compress(b"x" * 3000)
    )
    gzip_layer = {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:a"}
    assert uncompressed_bytes(gzip_layer) == 3000
    zstd_layer = {"mediaType": "application/vnd.oci.image.layer.v1.tar+zstd", "digest": "sha256:b"}
    with pytest.raises(ToolError, match="only gzip or plain tar"):
        uncompressed_bytes(zstd_layer)


class _Images:
    def __init__(self, local: set[str]) -> None:
        self.local = local

    def get(self, name: str) -> object:
        if name not in self.local:
            raise ImageNotFound(name)
        return object()


class _Client:
    def __init__(self, local: set[str]) -> None:
        self.images = _Images(local)


def test_missing_images_are_named_with_the_command_that_builds_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(docker, "from_env", lambda: _Client({"mini-init:scratch"}))
    skipped = docker_stop.measure_docker_stop(runs=1)["skipped"]
    assert skipped == (
        "skipped: mini-init:distroless, mini-init:distroless-nonroot, mini-init:alpine "
        "not in the local image store (run mini-init-tools images --standin-bases)"
    )
    assert "mini-init:alpine" in image_sizes.measure_image_sizes()["skipped"]


def test_docker_sections_are_skipped_when_the_daemon_is_down(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def daemon_down() -> None:
        raise DockerException("connection refused")

    monkeypatch.setattr(docker, "from_env", daemon_down)
    assert docker_stop.measure_docker_stop(runs=1) == {"skipped": NO_DAEMON}
    assert image_sizes.measure_image_sizes() == {"skipped": NO_DAEMON}


def test_chart_is_a_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from mini_init_tools.bench.chart import write_chart

    write_chart(_tiny_results(), tmp_path / "ratios.png")
    assert (tmp_path / "ratios.png").read_bytes().startswith(b"\x89PNG")


def test_zombies_are_counted_among_descendants() -> None:
    child = os.fork()
    if child == 0:
        os._exit(0)
    try:
        os.waitid(os.P_PID, child, os.WEXITED | os.WNOWAIT)  # exited, left a zombie
        assert count_zombies(os.getpid()) >= 1
        assert count_zombies(child) == 0
    finally:
        os.waitpid(child, 0)


def test_signal_latency_plumbing_gets_one_answer_per_signal() -> None:
    env_passes_straight_through = Contender("env", Path("/usr/bin/env"), ())
    latencies = measure_signal_latency([env_passes_straight_through], 3)["env"]["latency_ns"]
    assert len(latencies) == 3 and all(latency > 0 for latency in latencies)


FLOOR_MAX_BYTES = 1024  # "a few hundred bytes": fork, exec, wait and forward, nothing more


def test_the_floor_is_built_small_and_names_its_source(tmp_path: Path) -> None:
    floor = build_floor(tmp_path)
    assert floor.name == FLOOR and floor.binary.stat().st_size <= FLOOR_MAX_BYTES
    assert version_of(floor) == "tools/mini_init_tools/bench/floor/floor.asm (this checkout)"


@pytest.mark.parametrize(
    ("script", "status"), [("exit 7", 7), ("exit 0", 0), ("kill -KILL $$", 128 + 9)]
)
def test_the_floor_passes_the_apps_status_back(tmp_path: Path, script: str, status: int) -> None:
    floor = build_floor(tmp_path)
    assert subprocess.run(floor.command("/bin/sh", "-c", script), check=False).returncode == status


def test_the_floor_forwards_every_signal_of_the_latency_bench(tmp_path: Path) -> None:
    latencies = measure_signal_latency([build_floor(tmp_path)], 3)[FLOOR]["latency_ns"]
    assert len(latencies) == 3 and all(latency > 0 for latency in latencies)


@pytest.mark.skipif(os.geteuid() != 0, reason="reaping runs the init as PID 1 with unshare --pid")
def test_the_floor_runs_as_pid_1_over_the_orphan_maker(tmp_path: Path) -> None:
    """reap_once raises unless the init exits 0 after the helper printed its time."""
    (run,) = measure_reaping([build_floor(tmp_path)], 200, 1)[FLOOR]["runs"]
    assert run["drain_seconds"] >= 0


def test_unusable_output_directory_is_one_clear_line(tmp_path: Path) -> None:
    a_file = tmp_path / "not-a-directory"
    a_file.write_text("")
    result = runner.invoke(app, ["bench", "--quick", "--output", str(a_file)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        (
            f"mini-init-tools: cannot write results to {a_file}: File exists; "
            "pass a writable --output DIR"
        )
    ]


@pytest.mark.parametrize("update_docs", [False, True], ids=["results-only", "update-docs"])
def test_the_docs_page_and_its_chart_are_written_only_with_update_docs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, update_docs: bool
) -> None:
    pytest.importorskip("matplotlib")
    docs, output = tmp_path / "docs", tmp_path / "bench"
    docs.mkdir()
    output.mkdir()
    monkeypatch.setattr(bench_runner, "DOCS_PAGE", docs / "benchmarks.md")
    monkeypatch.setattr(bench_runner, "DOCS_CHART", docs / "benchmarks.png")
    written = bench_runner.write_outputs(_tiny_results(), output, update_docs)
    in_docs = [docs / "benchmarks.png", docs / "benchmarks.md"] if update_docs else []
    assert written == (output / "results.json", output / "ratios.png", *reversed(in_docs))
    assert sorted(docs.iterdir()) == sorted(in_docs)


def test_only_the_update_docs_option_asks_for_the_docs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    asked: list[bool] = []

    def run_benchmark(
        plan: Plan, output: Path, update_docs: bool, on_step: object
    ) -> BenchOutcome:
        asked.append(update_docs)
        results: Results = _tiny_results()
        return BenchOutcome(results, ())

    monkeypatch.setattr(bench_runner, "run_benchmark", run_benchmark)
    for option in ([], ["--update-docs"]):
        result = runner.invoke(app, ["bench", "--quick", "--output", str(tmp_path), *option])
        assert result.exit_code == 0, result.output
    assert asked == [False, True]
