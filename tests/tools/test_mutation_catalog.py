# SPDX-License-Identifier: MIT
"""The mutation catalog holds for the trees and the tests as they are (no build, no run).

Each snippet occurs exactly once, every architecture the suite tests has one, and every claimed
test exists."""

import pytest
from mini_init_tools.abi_table import ARCHITECTURES
from mini_init_tools.claim_run import missing
from mini_init_tools.mutation import Mutation
from mini_init_tools.mutations import MUTATIONS
from mini_init_tools.paths import INIT_SOURCES

# docs/testing.md: the eleven behaviours of issue 13 and one for each new behaviour.
REQUIRED = (
    "forward-to-pid-only",
    "reap-main-child-only",
    "one-reap-per-wake-up",
    "escalation-logged-not-sent",
    "deadline-late-by-1s",
    "no-drain",
    "drain-sends-kill",
    "pid1-drains-group-only",
    "core-bit-kept",
    "no-255-cap",
    "orphan-status-wins",
    "terminal-not-handed-over",
    "exec-visitors-not-waited-for",
    "log-write-blocks",
    "hup-is-a-stop-request",
    "single-child-option-ignored",
    "rewrite-table-ignored",
    "exit-remap-ignored",
)
by_name = pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda mutation: mutation.name)


def test_names_are_unique_and_every_required_behaviour_has_one() -> None:
    names = [mutation.name for mutation in MUTATIONS]
    assert len(set(names)) == len(names)
    assert set(REQUIRED) <= set(names)


@by_name
def test_mutation_is_documented_in_one_line_and_claimed_by_tests(mutation: Mutation) -> None:
    assert mutation.plants and "\n" not in mutation.plants
    assert mutation.routine and mutation.tests


@by_name
@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_snippet_occurs_exactly_once_in_each_tree(mutation: Mutation, arch: str) -> None:
    patch = mutation.patches.get(arch)
    assert patch is not None, (
        f"{mutation.name} has no {arch} snippet: add one (docs/testing.md, adding an architecture)"
    )
    assert (INIT_SOURCES / arch / patch.file).read_text().count(patch.original) == 1
    assert patch.replacement != patch.original


@by_name
def test_every_claimed_test_exists(mutation: Mutation) -> None:
    assert [test for test in mutation.tests if missing(test)] == []


def test_fast_subset_is_small_and_spans_signals_reaping_and_the_drain() -> None:
    fast = [mutation for mutation in MUTATIONS if mutation.fast]
    assert len(fast) <= 6  # about two minutes for every architecture (docs/testing.md)
    assert {"send_signal", "reap_all", "advance"} <= {mutation.routine for mutation in fast}
