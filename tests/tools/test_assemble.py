# SPDX-License-Identifier: MIT
"""The one build recipe (mini_init_tools.assemble): what the Dockerfile's build stage needs to run
it, and the toolchain table it reads, riscv64 included before its sources exist."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mini_init_tools.assemble import assemble_command, link_command
from mini_init_tools.build import build_all
from mini_init_tools.elf_check import inspect_binary
from mini_init_tools.paths import INIT_SOURCES, REPO_ROOT
from mini_init_tools.toolchain import TOOLCHAINS, builder_packages

DOCKERFILE = REPO_ROOT / "images" / "Dockerfile"
DOCKERIGNORE = REPO_ROOT / "images" / "Dockerfile.dockerignore"
# The smallest riscv64 program: exit_group(0), as a stand-in for init/riscv64/main.s.
RISCV64_EXIT = ".globl _start\n_start:\n    li a0, 0\n    li a7, 94\n    ecall\n"


def _files_the_build_stage_gets() -> list[Path]:
    """The tool's files images/Dockerfile.dockerignore lets into the build context."""
    lines = DOCKERIGNORE.read_text().splitlines()
    patterns = [line.removeprefix("!") for line in lines if line.startswith("!tools/")]
    return [path for pattern in patterns for path in sorted(REPO_ROOT.glob(pattern))]


def test_dockerfile_installs_exactly_the_builder_packages() -> None:
    match = re.search(r'^ARG BUILDER_PACKAGES="([^"]*)"', DOCKERFILE.read_text(), re.MULTILINE)
    assert match is not None
    assert tuple(match.group(1).split()) == builder_packages()


def test_builder_packages_hold_python_and_every_toolchain() -> None:
    packages = builder_packages()
    assert packages[0] == "python3-minimal"
    for toolchain in TOOLCHAINS.values():
        assert {toolchain.assembler_package, toolchain.linker_package} <= set(packages)


def test_recipe_runs_from_only_the_files_the_build_stage_gets(tmp_path: Path) -> None:
    """Standard library only (-S: no site-packages, so typer, rich or pyelftools cannot load) and
    nothing the dockerignore leaves out; the bytes are those `mini-init-tools build` makes."""
    for path in _files_the_build_stage_gets():
        copy = tmp_path / path.relative_to(REPO_ROOT)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, copy)
    (tmp_path / "init").symlink_to(INIT_SOURCES)
    host = {binary.arch: binary.sha256 for binary in build_all(output_dir=tmp_path / "host")}
    for arch, sha256 in host.items():
        output = tmp_path / "stage" / arch / "mini-init"
        record = output.with_name("mini-init.spdx")
        for module, arguments in (
            ("assemble", ["--arch", arch, "--output", str(output), "--work", str(tmp_path / arch)]),
            ("init_sbom", ["--arch", arch, "--binary", str(output), "--output", str(record)]),
        ):
            result = subprocess.run(
                [sys.executable, "-S", "-m", f"mini_init_tools.{module}", *arguments],
                env={"PATH": os.environ["PATH"], "PYTHONPATH": str(tmp_path / "tools")},
                capture_output=True, text=True, timeout=60, check=False,
            )
            assert result.returncode == 0, result.stderr
        assert f"PackageChecksum: SHA256: {sha256}" in record.read_text()


def test_riscv64_toolchain_is_gnu_as_with_its_isa_flags(tmp_path: Path) -> None:
    toolchain = TOOLCHAINS["riscv64"]
    command = assemble_command(toolchain, tmp_path / "gen", tmp_path / "main.o")
    assert command[:3] == ["riscv64-linux-gnu-as", "-march=rv64gc", "-mabi=lp64d"]
    assert command[-3:] == [str(INIT_SOURCES / "riscv64" / "main.s"), "-o", str(tmp_path / "main.o")]
    assert (toolchain.linker, toolchain.linker_package) == (
        "riscv64-linux-gnu-ld", "binutils-riscv64-linux-gnu",
    )


@pytest.mark.skipif(shutil.which("riscv64-linux-gnu-as") is None, reason="binutils-riscv64-linux-gnu")
def test_riscv64_flags_and_linker_flags_make_a_static_riscv64_executable(tmp_path: Path) -> None:
    """The mechanism init/riscv64 will use, on a one-instruction program until it exists."""
    toolchain = TOOLCHAINS["riscv64"]
    source = tmp_path / "exit.s"
    source.write_text(RISCV64_EXIT)
    obj, binary = tmp_path / "exit.o", tmp_path / "exit"
    assembler = [toolchain.assembler, *toolchain.assembler_flags, str(source), "-o", str(obj)]
    for command in (assembler, link_command(toolchain, obj, binary)):
        subprocess.run(command, capture_output=True, timeout=60, check=True)
    assert inspect_binary(binary, "riscv64").problems == ()
