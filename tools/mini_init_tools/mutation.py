# SPDX-License-Identifier: MIT
"""A mutation (one planted bug) and how it is applied to a copy of a tree.

A mutation replaces a snippet of one routine, written once per architecture tree, and names the
tests that claim the behaviour it breaks."""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from mini_init_tools.errors import ToolError

CATALOG_FILE = "tools/mini_init_tools/mutations.py"


class PatchError(ToolError):
    """A mutation cannot be applied to a tree: no snippet for its architecture, or the snippet does
    not occur exactly once (the tree moved on)."""


@dataclass(frozen=True)
class Patch:
    """One architecture's edit: in init/<arch>/<file>, `original` (which must occur exactly once)
    becomes `replacement`."""

    file: str
    original: str
    replacement: str


@dataclass(frozen=True, kw_only=True)
class Mutation:
    """A named bug. `tests` are pytest node ids under tests/init (a file, or file::test) that claim
    the behaviour; `keyword`, when given, is a -k expression narrowing them (e.g. "pid1"). `fast`
    puts it in the subset CI runs on every change."""

    name: str
    plants: str
    routine: str
    tests: tuple[str, ...]
    keyword: str = ""
    patches: Mapping[str, Patch]
    fast: bool = False


def apply_mutation(mutation: Mutation, arch: str, tree: Path) -> None:
    """Edit <tree>/<arch>/ (a copy, never the checkout's init/) as `mutation` says for `arch`."""
    patch = mutation.patches.get(arch)
    if patch is None:
        raise PatchError(
            f"mutation {mutation.name} has no {arch} snippet yet: add one in {CATALOG_FILE}"
        )
    path = tree / arch / patch.file
    text = path.read_text()
    found = text.count(patch.original)
    if found != 1:
        raise PatchError(
            f"mutation {mutation.name}: its snippet occurs {found} times in init/{arch}/"
            f"{patch.file}, not once (the tree moved on): update it in {CATALOG_FILE}"
        )
    path.write_text(text.replace(patch.original, patch.replacement))
