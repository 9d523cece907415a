# SPDX-License-Identifier: MIT
"""`mini-init-tools images --builder NAME` bakes every bake of the run on that buildx builder, and an
unknown name is one line. The only builder that can run here is the docker driver's `default`
(a docker-container builder needs the moby/buildkit image, which cannot be pulled, and buildx runs
another context's docker-driver builder only from that context), so the run names it explicitly."""

from pathlib import Path

import pytest
from mini_init_tools import bake, images
from mini_init_tools.cli import app
from typer.testing import CliRunner

pytestmark = pytest.mark.docker

runner = CliRunner()
BUILDER = "default"


@pytest.fixture
def private_outputs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The binaries, the log and the metadata of this run go to tmp_path, not to build/."""
    monkeypatch.setattr(images, "binary_path", lambda arch: tmp_path / arch / "mini-init")
    monkeypatch.setattr(images, "BINARIES_STAGING", tmp_path / "staging")
    monkeypatch.setattr(images, "METADATA_FILE", tmp_path / "bake-metadata.json")
    monkeypatch.setattr(bake, "BAKE_LOG", tmp_path / "bake.log")
    return tmp_path


def test_every_bake_runs_on_the_named_builder(published_images: str, private_outputs: Path) -> None:
    result = runner.invoke(app, [
        "images", "--builder", BUILDER, "--variant", "scratch", "--platform", "linux/arm64",
        "--registry", "localhost:5000/test/builder", "--push", "--standin-bases",
    ])
    assert result.exit_code == 0, result.output
    assert "  pin  localhost:5000/test/builder/mini-init@sha256:" in result.stdout
    commands = [line for line in (private_outputs / "bake.log").read_text().splitlines()
                if line.startswith("==== /usr/bin/docker buildx bake")]
    assert len(commands) == 3
    assert all(f" --builder {BUILDER} " in command for command in commands)
    assert (private_outputs / "arm64" / "mini-init").stat().st_size > 0


def test_an_unknown_builder_is_one_line(published_images: str, private_outputs: Path) -> None:
    result = runner.invoke(app, ["images", "--builder", "no-such-builder"])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "mini-init-tools: no buildx builder named 'no-such-builder': `docker buildx ls` lists "
        "them, `docker buildx create` makes one (docs/images.md)"
    )
