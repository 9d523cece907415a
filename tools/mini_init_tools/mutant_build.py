# SPDX-License-Identifier: MIT
"""Builds an init from a copy of one architecture's tree, mutated or not.

The build's own recipe (build_arch: assemble, link, the ELF checks); the checkout's init/ and
build/ stay as they are."""

import shutil
from pathlib import Path

from mini_init_tools.build import BuiltBinary, build_arch
from mini_init_tools.mutation import Mutation, apply_mutation
from mini_init_tools.paths import INIT_SOURCES


def snapshot(arch: str, directory: Path) -> None:
    """Copy init/<arch>/ into <directory>/<arch>/ once, so every build of a run starts from the
    same tree while the checkout goes on changing."""
    shutil.copytree(INIT_SOURCES / arch, directory / arch)


def binary_dir(workspace: Path) -> Path:
    """Where build_copy(…, workspace) leaves <arch>/mini-init: what MINI_INIT_BINARY_DIR names."""
    return workspace / "bin"


def build_copy(
    arch: str, trees: Path, workspace: Path, mutation: Mutation | None = None
) -> BuiltBinary:
    """Copy <trees>/<arch>/ (a snapshot) into <workspace>/init/, apply `mutation` there (None: the
    tree as it is) and build it into binary_dir(workspace). Raises PatchError when the mutation
    cannot be applied, ToolError when the copy does not build."""
    sources = workspace / "init"
    shutil.copytree(trees / arch, sources / arch)
    if mutation is not None:
        apply_mutation(mutation, arch, sources)
    return build_arch(arch, output_dir=binary_dir(workspace), sources=sources)
