# SPDX-License-Identifier: MIT
"""`mini-init-tools mutate`'s work: every mutant built and judged by its claimed tests.

For each architecture: the claimed tests run on the unmutated tree, then each mutant is built in
a temporary directory and the tests that claim its behaviour run on it; one Outcome per mutation
and architecture."""

import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from mini_init_tools.abi_table import ARCHITECTURES
from mini_init_tools.claim_run import ClaimResult, claims, missing, run_claims
from mini_init_tools.errors import ToolError
from mini_init_tools.mutant_build import binary_dir, build_copy, snapshot
from mini_init_tools.mutation import Mutation, PatchError
from mini_init_tools.mutations import MUTATIONS

Show = Callable[[str], None]


class Verdict(StrEnum):
    """How a mutant fared. Only KILLED is a pass."""

    KILLED = "KILLED"
    SURVIVED = "SURVIVED"
    NOT_APPLIED = "NOT APPLIED"
    BUILD_FAILED = "BUILD FAILED"
    NOT_JUDGED = "NOT JUDGED"


@dataclass(frozen=True)
class Outcome:
    """One mutation on one architecture: `detail` is the test that killed it, or why not."""

    mutation: str
    arch: str
    verdict: Verdict
    detail: str
    seconds: float


def select_mutations(names: Sequence[str], fast: bool) -> tuple[Mutation, ...]:
    """The catalog's mutations: only the fast ones with `fast`, only those named if any are."""
    known = [mutation.name for mutation in MUTATIONS]
    for name in names:
        if name not in known:
            raise ToolError(f"unknown mutation {name!r}: choose from {', '.join(known)}")
    chosen = tuple(
        mutation
        for mutation in MUTATIONS
        if (mutation.fast or not fast) and (mutation.name in names or not names)
    )
    if not chosen:
        raise ToolError(f"none of {', '.join(names)} is in the fast subset")
    return chosen


def select_architectures(names: Sequence[str]) -> tuple[str, ...]:
    """The architectures asked for (default: every one the suite tests), in the suite's order."""
    for name in names:
        if name not in ARCHITECTURES:
            known = ", ".join(ARCHITECTURES)
            raise ToolError(f"unknown architecture {name!r}: choose from {known}")
    return tuple(arch for arch in ARCHITECTURES if arch in names or not names)


def run_mutations(
    mutations: Sequence[Mutation], architectures: Sequence[str], show: Show
) -> list[Outcome]:
    """Every mutation on every architecture, in catalog order; `show` hears each step as it
    starts and each outcome as it comes. Every tree is copied first, so a run judges one state
    of the checkout however long it takes."""
    with tempfile.TemporaryDirectory(prefix="mini-init-mutate-") as directory:
        workspace = Path(directory)
        for arch in architectures:
            snapshot(arch, workspace / "snapshot")
        outcomes = [
            outcome
            for arch in architectures
            for outcome in _run_on(arch, mutations, workspace / "snapshot", workspace / arch, show)
        ]
    position = {mutation.name: index for index, mutation in enumerate(mutations)}
    return sorted(
        outcomes,
        key=lambda outcome: (position[outcome.mutation], architectures.index(outcome.arch)),
    )


def _run_on(
    arch: str, mutations: Sequence[Mutation], trees: Path, workspace: Path, show: Show
) -> list[Outcome]:
    show(f"{arch}: building the unmutated tree")
    try:
        original = build_copy(arch, trees, workspace / "original")
    except ToolError as error:
        reason = f"the unmutated tree does not build: {error}"
        return [Outcome(m.name, arch, Verdict.NOT_JUDGED, reason, 0.0) for m in mutations]
    baselines = _baselines(arch, mutations, binary_dir(workspace / "original"), show)
    outcomes = []
    for mutation in mutations:
        show(f"{arch}: {mutation.name}")
        started = time.monotonic()
        verdict, detail = _judge(
            mutation, arch, trees, workspace / mutation.name, original.sha256, baselines
        )
        outcomes.append(Outcome(mutation.name, arch, verdict, detail, time.monotonic() - started))
        show(f"{arch}: {mutation.name}: {verdict} {detail}")
    return outcomes


def _baselines(
    arch: str, mutations: Sequence[Mutation], binaries: Path, show: Show
) -> dict[str, ClaimResult]:
    """The claimed tests on the unmutated tree, one full pytest run per -k expression: a test
    that fails there would "kill" its mutants and prove nothing."""
    tests_by_keyword: dict[str, list[str]] = {}
    for mutation in mutations:
        if arch in mutation.patches and not _absent_tests(mutation):
            tests = tests_by_keyword.setdefault(mutation.keyword, [])
            tests.extend(test for test in mutation.tests if test not in tests)
    results = {}
    for keyword, tests in tests_by_keyword.items():
        narrowed = f" -k {keyword!r}" if keyword else ""
        show(f"{arch}: {len(tests)} claimed test(s){narrowed} on the unmutated tree")
        results[keyword] = run_claims(tuple(tests), keyword, arch, binaries, stop_at_first=False)
    return results


def _absent_tests(mutation: Mutation) -> list[str]:
    """The claims that name no test under tests/init (a renamed test, a typo)."""
    return [test for test in mutation.tests if missing(test)]


def _unmutated_failure(mutation: Mutation, baseline: ClaimResult) -> str:
    """Why the unmutated tree fails this mutation's claims, or ""."""
    if baseline.problem:
        return baseline.problem
    failing = [
        node for node in baseline.failures if any(claims(test, node) for test in mutation.tests)
    ]
    return f"{failing[0]} fails" if failing else ""


def _judge(
    mutation: Mutation,
    arch: str,
    trees: Path,
    workspace: Path,
    original_sha256: str,
    baselines: dict[str, ClaimResult],
) -> tuple[Verdict, str]:
    try:
        built = build_copy(arch, trees, workspace, mutation)
    except PatchError as error:
        return Verdict.NOT_APPLIED, str(error)
    except ToolError as error:
        return Verdict.BUILD_FAILED, str(error)
    if built.sha256 == original_sha256:
        return Verdict.NOT_APPLIED, "the mutant's binary is the original's: nothing is planted"
    absent = _absent_tests(mutation)
    if absent:
        return Verdict.NOT_JUDGED, f"no such test under tests/init: {', '.join(absent)}"
    unmutated_failure = _unmutated_failure(mutation, baselines[mutation.keyword])
    if unmutated_failure:
        return Verdict.NOT_JUDGED, f"on the unmutated tree: {unmutated_failure}"
    result = run_claims(mutation.tests, mutation.keyword, arch, binary_dir(workspace))
    if result.failures:
        return Verdict.KILLED, result.failures[0]
    if result.problem:
        return Verdict.NOT_JUDGED, result.problem
    return Verdict.SURVIVED, f"every claimed test passes: {', '.join(mutation.tests)}"
