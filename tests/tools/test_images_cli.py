"""`mini-init-tools images`: argument errors in one line, and the exact `docker buildx bake` argv."""

import json
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from mini_init_tools import bake, docker_cli, images
from mini_init_tools.cli import app
from mini_init_tools.image_manifests import PlatformImage
from mini_init_tools.paths import BAKE_FILE
from mini_init_tools.version import VERSION
from typer.testing import CliRunner

runner = CliRunner()
DOCKER_BAKE = ["/usr/bin/docker", "buildx", "bake", "--progress", "plain"]
STANDIN_CONTEXTS = {
    "alpine:3.20": "docker-image://localhost:5000/standin/alpine:3.20",
    "gcr.io/distroless/static-debian12":
        "docker-image://localhost:5000/standin/distroless-static:debian12",
    "gcr.io/distroless/static-debian12:nonroot":
        "docker-image://localhost:5000/standin/distroless-static:debian12-nonroot",
}


@dataclass
class FakeBakeProcess:
    """What the fake `docker buildx bake` process shows: its output lines and exit status."""

    stdout: Iterator[str]
    returncode: int

    def __enter__(self) -> "FakeBakeProcess":
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass


@dataclass
class Recorder:
    """Stands in for the build and for bake, and remembers how each was started."""

    # (exit status, output) of each bake run in turn; the last one repeats.
    bake_results: list[tuple[int, str]] = field(
        default_factory=lambda: [(0, "#1 [internal] load local bake definitions\n")]
    )
    bake_calls: list[tuple[list[str], Mapping[str, str]]] = field(default_factory=list)
    built: list[tuple[str, ...]] = field(default_factory=list)

    def start_bake(self, command: list[str], environment: Mapping[str, str]) -> FakeBakeProcess:
        """Record the command and write the metadata file bake would write."""
        self.bake_calls.append((command, environment))
        metadata = Path(command[command.index("--metadata-file") + 1])
        targets = [argument for argument in command if argument in images.VARIANTS]
        metadata.write_text(json.dumps({
            target: {"image.name": f"mini-init:{target}", "containerimage.digest": "sha256:index"}
            for target in targets
        }))
        returncode, output = self.bake_results.pop(0) if self.bake_results[1:] else self.bake_results[0]
        return FakeBakeProcess(iter(output.splitlines(keepends=True)), returncode)

    def build_all(self, architectures: tuple[str, ...]) -> list[object]:
        self.built.append(architectures)
        return []

    @property
    def bake_command(self) -> list[str]:
        assert len(self.bake_calls) == 1
        return self.bake_calls[0][0]

    @property
    def bake_commands(self) -> list[list[str]]:
        return [command for command, _ in self.bake_calls]

    @property
    def bake_environment(self) -> Mapping[str, str]:
        assert len(self.bake_calls) == 1
        return self.bake_calls[0][1]


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Recorder:
    """No build, no daemon, no registry: each step around bake replaced, bake itself recorded."""
    recorder = Recorder()
    for arch in ("amd64", "arm64"):
        (tmp_path / f"mini-init-{arch}").write_bytes(b"\x7fELF")
    monkeypatch.setattr(images, "build_all", recorder.build_all)
    monkeypatch.setattr(images, "require_daemon", lambda: None)
    monkeypatch.setattr(images, "binary_path", lambda arch: tmp_path / f"mini-init-{arch}")
    monkeypatch.setattr(images, "METADATA_FILE", tmp_path / "bake-metadata.json")
    monkeypatch.setattr(images, "publish_standins", lambda show: dict(STANDIN_CONTEXTS))
    monkeypatch.setattr(
        images,
        "platform_images",
        lambda name, digest, in_registry: [PlatformImage(name, "linux/amd64", 5000, "sha256:amd64")],
    )
    monkeypatch.setattr(bake, "BAKE_LOG", tmp_path / "bake.log")
    monkeypatch.setattr(bake, "require_cli", lambda: None)
    monkeypatch.setattr(bake, "start_bake_process", recorder.start_bake)
    return recorder


def test_default_loads_every_variant_for_both_platforms(recorder: Recorder) -> None:
    result = runner.invoke(app, ["images"])
    assert result.exit_code == 0, result.output
    assert recorder.bake_command == [
        *DOCKER_BAKE,
        "--file", str(BAKE_FILE),
        "--metadata-file", str(images.METADATA_FILE),
        "--load",
        "scratch", "distroless", "distroless-nonroot", "alpine",
    ]
    assert recorder.built == [("amd64", "arm64")]
    environment = recorder.bake_environment
    assert (environment["REGISTRY"], environment["VERSION"]) == ("", VERSION)
    assert environment["SOURCE_DATE_EPOCH"].isdigit()


def test_push_with_standin_bases_swaps_each_base_by_its_from_text(recorder: Recorder) -> None:
    result = runner.invoke(app, ["images", "--registry", "localhost:5000", "--push", "--standin-bases"])
    assert result.exit_code == 0, result.output
    assert recorder.bake_command == [
        *DOCKER_BAKE,
        "--file", str(BAKE_FILE),
        "--metadata-file", str(images.METADATA_FILE),
        "--push",
        "--set", "distroless.contexts.gcr.io/distroless/static-debian12="
        "docker-image://localhost:5000/standin/distroless-static:debian12",
        "--set", "distroless-nonroot.contexts.gcr.io/distroless/static-debian12:nonroot="
        "docker-image://localhost:5000/standin/distroless-static:debian12-nonroot",
        "--set", "alpine.contexts.alpine:3.20=docker-image://localhost:5000/standin/alpine:3.20",
        "scratch", "distroless", "distroless-nonroot", "alpine",
    ]
    assert recorder.bake_environment["REGISTRY"] == "localhost:5000"


def test_one_variant_one_platform_builds_only_that(recorder: Recorder) -> None:
    result = runner.invoke(app, ["images", "--variant", "alpine", "--platform", "linux/arm64"])
    assert result.exit_code == 0, result.output
    assert recorder.bake_command[-4:] == ["--load", "--set", "*.platform=linux/arm64", "alpine"]
    assert recorder.built == [("arm64",)]


def test_result_table_names_image_platform_size_and_digest(recorder: Recorder) -> None:
    result = runner.invoke(app, ["images", "--variant", "scratch"], terminal_width=200)
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if "mini-init:scratch" in line)
    cells = [cell.strip() for cell in row.strip().strip("│").split("│")]
    assert cells == ["mini-init:scratch", "linux/amd64", "4.9 KiB", "sha256:amd64"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--variant", "debian"], "unknown variant 'debian': choose from scratch, distroless"),
        (["--platform", "linux/riscv64"], "unknown platform 'linux/riscv64': choose from linux/amd64"),
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
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert recorder.bake_calls == [] and recorder.built == []


def test_unknown_option_is_a_usage_error() -> None:
    result = runner.invoke(app, ["images", "--arch", "amd64"])
    assert result.exit_code == 2
    assert "No such option" in result.output


def test_daemon_down_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def daemon_down(command: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
        message = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock."
        return subprocess.CompletedProcess(command, 1, "", message)

    monkeypatch.setattr(docker_cli, "require_cli", lambda: None)
    monkeypatch.setattr(docker_cli.subprocess, "run", daemon_down)
    result = runner.invoke(app, ["images"])
    assert result.exit_code == 1
    assert result.output.strip() == f"mini-init-tools: {docker_cli.DAEMON_DOWN}"


def test_unreachable_base_suggests_standin_bases(recorder: Recorder) -> None:
    recorder.bake_results = [(1, (
        "ERROR: failed to solve: alpine:3.20: failed to resolve source metadata for "
        "docker.io/library/alpine:3.20: failed to do request: dial tcp: no such host\n"
    ))]
    result = runner.invoke(app, ["images", "--variant", "alpine"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        "mini-init-tools: cannot pull the base image docker.io/library/alpine:3.20 (no registry "
        "reachable?): rerun with --standin-bases to build on local stand-ins of the bases"
    )
    assert "Traceback" not in result.output


def test_push_the_registry_failed_with_500_is_tried_again(recorder: Recorder) -> None:
    registry_race = "ERROR: unexpected status from HEAD request to http://localhost:5000/v2/mini-init/" \
        "manifests/alpine: 500 Internal Server Error\n"
    recorder.bake_results = [(1, registry_race), (0, "#1 done\n")]
    result = runner.invoke(app, ["images", "--registry", "localhost:5000", "--push"])
    assert result.exit_code == 0, result.output
    assert len(recorder.bake_commands) == 2
    assert recorder.bake_commands[0] == recorder.bake_commands[1]


def test_other_bake_failures_are_not_retried(recorder: Recorder) -> None:
    recorder.bake_results = [(1, "ERROR: failed to solve: dockerfile parse error line 3\n")]
    result = runner.invoke(app, ["images", "--variant", "scratch"])
    assert result.exit_code == 1
    assert len(recorder.bake_commands) == 1
    assert result.output.strip().splitlines()[-1].startswith(
        "mini-init-tools: docker buildx bake failed: failed to solve: dockerfile parse error line 3"
    )
