# SPDX-License-Identifier: MIT
"""The one build recipe (mini_init_tools.assemble): what the Dockerfile's build stage needs to run
it, and the toolchain table it reads; riscv64's build is static, checked and reproducible."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from mini_init_tools.asm_constants import render_constants
from mini_init_tools.assemble import assemble_command
from mini_init_tools.build import build_all, build_arch
from mini_init_tools.elf_check import inspect_binary
from mini_init_tools.paths import INIT_SOURCES, REPO_ROOT
from mini_init_tools.toolchain import TOOLCHAINS, builder_packages

DOCKERFILE = REPO_ROOT / "images" / "Dockerfile"
DOCKERIGNORE = REPO_ROOT / "images" / "Dockerfile.dockerignore"


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


def test_riscv64_init_is_a_static_riscv64_executable_and_the_same_twice(tmp_path: Path) -> None:
    """init/riscv64 passes the ELF checks (build_arch fails otherwise) and two builds are the same
    bytes. A machine without binutils-riscv64-linux-gnu fails here, naming the package."""
    first = build_arch("riscv64", output_dir=tmp_path / "first")
    second = build_arch("riscv64", output_dir=tmp_path / "second")
    assert inspect_binary(first.path, "riscv64").problems == ()
    assert first.sha256 == second.sha256


def test_riscv64_constants_use_gnu_as_riscv_comments() -> None:
    """GNU as for RISC-V reads `#` as its comment (`//` is AArch64's)."""
    lines = render_constants("riscv64").splitlines()
    assert lines[0].startswith("# constants.inc for riscv64")
    assert ".equ SYS_wait4, 260" in lines
    assert not any(line.startswith("//") for line in lines)
