# SPDX-License-Identifier: MIT
"""`mini-init-tools images`: argument errors in one line, the exact `docker buildx bake` argv and
variables of each bake, the log of every bake, short progress off a terminal, and the result."""

import json
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import pytest
from mini_init_tools import bake, docker_cli, images
from mini_init_tools.cli import app
from mini_init_tools.errors import ToolError
from mini_init_tools.image_manifests import PlatformImage
from mini_init_tools.paths import BAKE_FILE
from mini_init_tools.standins import STANDIN_FOR_VARIABLE
from mini_init_tools.version import VERSION
from typer.testing import CliRunner

runner = CliRunner()
DOCKER_BAKE = ["/usr/bin/docker", "buildx", "bake", "--progress", "plain"]
INDEX_DIGEST = "sha256:" + "1" * 64
MANIFEST_DIGEST = "sha256:" + "a" * 64
# As much as a real bake of every variant writes (about 450 lines).
LONG_BAKE_OUTPUT = "".join(f"#{step} [linux/amd64 mini-init-alpine] step {step}\n" for step in range(450))


@dataclass
class FakeBakeProcess:
    """What the fake `docker buildx bake` process shows: its output lines and exit status."""

    stdout: Iterator[str]
    returncode: int

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass


@dataclass
class Recorder:
    """Stands in for bake and the steps around it, and remembers how each bake was started."""

    # (exit status, output) of each bake run in turn; the last one repeats.
    bake_results: list[tuple[int, str]] = field(
        default_factory=lambda: [(0, "#1 [internal] load local bake definitions\n")]
    )
    bake_calls: list[tuple[list[str], Mapping[str, str]]] = field(default_factory=list)
    installed: list[tuple[str, ...]] = field(default_factory=list)

    def start_bake(self, command: list[str], environment: Mapping[str, str]) -> FakeBakeProcess:
        """Record the command and write the metadata file bake would write."""
        self.bake_calls.append((command, environment))
        if "--metadata-file" in command:
            metadata = Path(command[command.index("--metadata-file") + 1])
            targets = [argument for argument in command if argument in images.VARIANTS]
            registry = environment["REGISTRY"]
            metadata.write_text(json.dumps({
                target: {
                    "image.name": f"{registry}/mini-init:{target}" if registry else f"mini-init:{target}",
                    "containerimage.digest": INDEX_DIGEST,
                }
                for target in targets
            }))
        returncode, output = self.bake_results.pop(0) if self.bake_results[1:] else self.bake_results[0]
        return FakeBakeProcess(iter(output.splitlines(keepends=True)), returncode)

    def install_binaries(self, staging: Path, platforms: tuple[str, ...]) -> None:
        self.installed.append(platforms)

    @property
    def commands(self) -> list[list[str]]:
        return [command for command, _ in self.bake_calls]

    def command_of(self, target: str) -> list[str]:
        return next(command for command in self.commands if target in command)

    def environment_of(self, target: str) -> Mapping[str, str]:
        return next(environment for command, environment in self.bake_calls if target in command)


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Recorder:
    """No daemon, no registry, no stand-ins: each step around bake replaced, bake itself recorded."""
    recorder = Recorder()
    monkeypatch.setattr(images, "require_daemon", lambda: None)
    monkeypatch.setattr(images, "require_builder", lambda name: None)
    monkeypatch.setattr(images, "install_binaries", recorder.install_binaries)
    monkeypatch.setattr(images, "METADATA_FILE", tmp_path / "bake-metadata.json")
    monkeypatch.setattr(images, "BINARIES_STAGING", tmp_path / "binaries")

    def publish_standins(baker: bake.Baker) -> dict[str, str]:
        baker.bake("the stand-ins", ["--file", "images/standins/docker-bake.hcl", "--push"], {})
        return dict(STANDIN_FOR_VARIABLE)

    monkeypatch.setattr(images, "publish_standins", publish_standins)
    monkeypatch.setattr(
        images,
        "platform_images",
        lambda name, digest, in_registry: [
            PlatformImage(name, platform, 5000, MANIFEST_DIGEST)
            for platform in ("linux/amd64", "linux/arm64")
        ],
    )
    monkeypatch.setattr(bake, "BAKE_LOG", tmp_path / "bake.log")
    monkeypatch.setattr(bake, "require_cli", lambda: None)
    monkeypatch.setattr(bake, "start_bake_process", recorder.start_bake)
    return recorder


def test_default_bakes_the_binaries_then_loads_every_variant(recorder: Recorder) -> None:
    result = runner.invoke(app, ["images"])
    assert result.exit_code == 0, result.output
    binaries, variants = recorder.commands
    staging = Path(binaries[-2].split("dest=")[1].split(",")[0])
    assert staging.parent == images.BINARIES_STAGING and staging.name.startswith("binaries-")
    assert binaries == [
        *DOCKER_BAKE,
        "--file", str(BAKE_FILE),
        "--set", f"binaries.output=type=local,dest={staging},platform-split=false",
        "binaries",
    ]
    assert variants == [
        *DOCKER_BAKE,
        "--file", str(BAKE_FILE),
        "--metadata-file", str(images.METADATA_FILE),
        "--load",
        "scratch", "distroless", "distroless-nonroot", "alpine",
    ]
    assert recorder.installed == [("linux/amd64", "linux/arm64", "linux/riscv64")]
    environment = recorder.environment_of("--load")
    assert (environment["REGISTRY"], environment["VERSION"]) == ("", VERSION)
    assert environment["PLATFORMS"] == "linux/amd64,linux/arm64,linux/riscv64"
    assert environment["SOURCE_DATE_EPOCH"].isdigit()
    assert "BUILDER_IMAGE" not in environment


def test_standin_bases_set_every_base_builder_and_scanner_variable(recorder: Recorder) -> None:
    result = runner.invoke(app, ["images", "--registry", "localhost:5000", "--push", "--standin-bases"])
    assert result.exit_code == 0, result.output
    assert len(recorder.commands) == 3
    assert "--push" in recorder.command_of("--metadata-file")
    for target in ("binaries", "--metadata-file"):
        environment = recorder.environment_of(target)
        assert environment["BUILDER_IMAGE"] == "localhost:5000/standin/debian:bookworm-slim"
        assert environment["ALPINE_IMAGE"] == "localhost:5000/standin/alpine:3.20"
        assert environment["DISTROLESS_IMAGE"] == "localhost:5000/standin/distroless-static:debian12"
        assert environment["DISTROLESS_NONROOT_IMAGE"] == (
            "localhost:5000/standin/distroless-static:debian12-nonroot"
        )
        assert environment["SBOM_GENERATOR"] == "localhost:5000/standin/buildkit-syft-scanner:stable-1"
        assert environment["REGISTRY"] == "localhost:5000"


def test_one_variant_one_platform_builds_only_that(recorder: Recorder) -> None:
    result = runner.invoke(app, ["images", "--variant", "alpine", "--platform", "linux/arm64"])
    assert result.exit_code == 0, result.output
    assert recorder.command_of("--load")[-2:] == ["--load", "alpine"]
    assert recorder.environment_of("--load")["PLATFORMS"] == "linux/arm64"
    assert recorder.installed == [("linux/arm64",)]


def test_builder_option_bakes_every_bake_on_that_builder(recorder: Recorder) -> None:
    result = runner.invoke(app, ["images", "--builder", "arm-nodes", "--standin-bases"])
    assert result.exit_code == 0, result.output
    assert len(recorder.commands) == 3
    for command in recorder.commands:
        assert command[:5] == ["/usr/bin/docker", "buildx", "bake", "--builder", "arm-nodes"]


def test_unknown_builder_is_one_line_and_starts_nothing(
    recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    def inspect(arguments: list[str], timeout: float) -> str:
        raise ToolError(f"`docker {' '.join(arguments)}` failed: no builder \"nope\" found")

    monkeypatch.setattr(images, "require_builder", bake.require_builder)
    monkeypatch.setattr(bake, "run_docker", inspect)
    result = runner.invoke(app, ["images", "--builder", "nope"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "building images",
        (
            "mini-init-tools: no buildx builder named 'nope': `docker buildx ls` lists them, "
            "`docker buildx create` makes one (docs/images.md)"
        ),
    ]
    assert recorder.commands == []


def test_result_names_each_image_whole_with_its_pinned_index_digest_at_80_columns(
    recorder: Recorder,
) -> None:
    result = runner.invoke(
        app, ["images", "--registry", "localhost:5000", "--push"], terminal_width=80
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    for variant in images.VARIANTS:
        assert f"localhost:5000/mini-init:{variant}" in lines
    assert lines.count(f"  pin  localhost:5000/mini-init@{INDEX_DIGEST}") == len(images.VARIANTS)
    platform_lines = [line for line in lines if line.startswith("  linux/")]
    assert len(platform_lines) == 2 * len(images.VARIANTS)
    assert all(len(line) <= 80 for line in platform_lines)
    assert platform_lines[0].split() == ["linux/amd64", "4.9", "KiB", "manifest", "sha256:aaaaaaaaaaaa"]


def test_off_a_terminal_progress_is_a_few_step_lines_and_bake_output_goes_to_the_log(
    recorder: Recorder,
) -> None:
    recorder.bake_results = [(0, LONG_BAKE_OUTPUT)]
    result = runner.invoke(app, ["images", "--registry", "localhost:5000", "--push", "--standin-bases"])
    assert result.exit_code == 0, result.output
    progress = result.stderr.splitlines()
    assert 3 <= len(progress) <= 8, progress
    assert not any("mini-init-alpine] step" in line for line in progress)
    assert bake.BAKE_LOG.read_text().count("mini-init-alpine] step 449") == 3


def test_log_keeps_every_bake_of_the_run_under_a_header_each(recorder: Recorder) -> None:
    registry_race = (
        "ERROR: unexpected status from HEAD request to http://localhost:5000/v2/standin/alpine/"
        "manifests/3.20: 500 Internal Server Error\n"
    )
    recorder.bake_results = [(1, registry_race), (0, "#1 stand-ins pushed\n"), (0, "#1 built\n")]
    bake.BAKE_LOG.write_text("a previous run\n")
    result = runner.invoke(app, ["images", "--registry", "localhost:5000", "--push", "--standin-bases"])
    assert result.exit_code == 0, result.output
    log = bake.BAKE_LOG.read_text()
    assert "a previous run" not in log
    headers = [line for line in log.splitlines() if line.startswith("==== bake ") and "started" in line]
    assert [header.split(", started")[0] for header in headers] == [
        "==== bake 1: the stand-ins, attempt 1",
        "==== bake 2: the stand-ins, attempt 2",
        "==== bake 3: the binaries, attempt 1",
        "==== bake 4: the images, attempt 1",
    ]
    assert registry_race in log and "#1 stand-ins pushed" in log


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--variant", "debian"], "unknown variant 'debian': choose from scratch, distroless"),
        (["--platform", "linux/s390x"], "unknown platform 'linux/s390x': choose from linux/amd64"),
        (["--push"], "--push needs --registry"),
        (["--registry", "http://localhost:5000"], "is not a registry: give host[:port][/namespace]"),
        (["--registry", "Localhost:5000/"], "is not a registry"),
    ],
)
def test_bad_arguments_are_one_line_and_start_nothing(
    recorder: Recorder, arguments: list[str], message: str
) -> None:
    result = runner.invoke(app, ["images", *arguments])
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert recorder.bake_calls == [] and recorder.installed == []


def test_distroless_without_a_platform_its_base_has_is_one_line() -> None:
    request = images.ImageRequest(variants=("distroless",), platforms=("linux/riscv64",))
    with pytest.raises(ToolError, match="the distroless variant cannot be built for linux/riscv64"):
        images.check_request(request, known_platforms=("linux/amd64", "linux/riscv64"))


def test_unknown_option_is_a_usage_error() -> None:
    result = runner.invoke(app, ["images", "--arch", "amd64"])
    assert result.exit_code == 2
    assert "No such option" in result.output


def test_daemon_down_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def daemon_down(command: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
        message = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock."
        return subprocess.CompletedProcess(command, 1, "", message)

    monkeypatch.setattr(docker_cli, "require_cli", lambda: None)
    monkeypatch.setattr(subprocess, "run", daemon_down)
    result = runner.invoke(app, ["images"])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == f"mini-init-tools: {docker_cli.DAEMON_DOWN}"


def test_unreachable_base_suggests_standin_bases(recorder: Recorder) -> None:
    recorder.bake_results = [(1, (
        "ERROR: failed to solve: debian:bookworm-slim: failed to resolve source metadata for "
        "docker.io/library/debian:bookworm-slim: failed to do request: dial tcp: no such host\n"
    ))]
    result = runner.invoke(app, ["images", "--variant", "alpine"])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "mini-init-tools: cannot pull the image docker.io/library/debian:bookworm-slim (no registry "
        "reachable?): rerun with --standin-bases to build on local stand-ins"
    )
    assert "Traceback" not in result.output


def test_push_the_registry_failed_with_500_is_tried_again(recorder: Recorder) -> None:
    registry_race = "ERROR: unexpected status from HEAD request to http://localhost:5000/v2/mini-init/" \
        "manifests/alpine: 500 Internal Server Error\n"
    recorder.bake_results = [(0, "#1 done\n"), (1, registry_race), (0, "#1 done\n")]
    result = runner.invoke(app, ["images", "--registry", "localhost:5000", "--push"])
    assert result.exit_code == 0, result.output
    assert len(recorder.commands) == 3
    assert recorder.commands[1] == recorder.commands[2]


def test_other_bake_failures_are_not_retried(recorder: Recorder) -> None:
    recorder.bake_results = [(1, "ERROR: failed to solve: dockerfile parse error line 3\n")]
    result = runner.invoke(app, ["images", "--variant", "scratch"])
    assert result.exit_code == 1
    assert len(recorder.commands) == 1
    assert result.stderr.strip().splitlines()[-1].startswith(
        "mini-init-tools: docker buildx bake failed: failed to solve: dockerfile parse error line 3"
    )


def test_a_binary_bake_did_not_write_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(images, "binary_path", lambda arch: tmp_path / arch / "mini-init")
    with pytest.raises(ToolError, match="wrote no arm64/mini-init into"):
        images.install_binaries(tmp_path / "staging", ("linux/arm64",))
