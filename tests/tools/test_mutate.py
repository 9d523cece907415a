# SPDX-License-Identifier: MIT
"""`mini-init-tools mutate`: the harness itself, and the fast subset CI runs.

A mutation applies exactly once to a copy, user mistakes are one line, the report shows SURVIVED
and fails, and the fast subset (run here, so pytest and .ci/run cover it) kills every mutant."""

import hashlib
import shutil
from pathlib import Path

import pytest
from mini_init_tools import mutation_run
from mini_init_tools.cli import app
from mini_init_tools.mutation import Mutation, Patch, PatchError, apply_mutation
from mini_init_tools.mutation_run import Outcome, Verdict
from mini_init_tools.mutation_table import outcome_lines, outcome_table, summary
from mini_init_tools.paths import INIT_SOURCES
from rich.console import Console
from typer.testing import CliRunner

runner = CliRunner()
# A real change no claimed test can see: the text of a fatal error ppoll never gives.
UNSEEN = Mutation(
    name="unseen-message",
    plants="the text of an error that never happens changes",
    routine="wait_for_event",
    tests=("test_exit_status.py::test_exit_code_of_the_child_is_the_exit_code_of_the_init",),
    keyword="child and 42",
    patches={"amd64": Patch("loop.inc", '"wait for events"', '"wait for eventz"')},
)


def _tree_copy(tmp_path: Path, arch: str = "amd64") -> Path:
    shutil.copytree(INIT_SOURCES / arch, tmp_path / arch)
    return tmp_path


def _tree_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(INIT_SOURCES.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def _with_snippet(original: str) -> Mutation:
    return Mutation(
        name="probe",
        plants="a probe",
        routine="reap_all",
        tests=("test_exit_status.py",),
        patches={"amd64": Patch("loop.inc", original, "nop")},
    )


def test_mutation_applies_its_snippet_once_to_the_copy_only(tmp_path: Path) -> None:
    before = (INIT_SOURCES / "amd64" / "loop.inc").read_text()
    tree = _tree_copy(tmp_path)

    apply_mutation(UNSEEN, "amd64", tree)

    after = (tree / "amd64" / "loop.inc").read_text()
    assert after == before.replace('"wait for events"', '"wait for eventz"')
    assert after.count("wait for eventz") == 1
    assert (INIT_SOURCES / "amd64" / "loop.inc").read_text() == before


@pytest.mark.parametrize(("snippet", "found"), [("no such instruction", 0), ("    ret\n", None)])
def test_snippet_not_found_exactly_once_names_mutation_file_and_count(
    tmp_path: Path, snippet: str, found: int | None
) -> None:
    tree = _tree_copy(tmp_path)
    count = (tree / "amd64" / "loop.inc").read_text().count(snippet) if found is None else found

    with pytest.raises(PatchError) as raised:
        apply_mutation(_with_snippet(snippet), "amd64", tree)

    assert str(raised.value) == (
        f"mutation probe: its snippet occurs {count} times in init/amd64/loop.inc, not once"
        " (the tree moved on): update it in tools/mini_init_tools/mutations.py"
    )


def test_architecture_without_a_snippet_is_not_applied(tmp_path: Path) -> None:
    with pytest.raises(PatchError, match="mutation unseen-message has no arm64 snippet yet"):
        apply_mutation(UNSEEN, "arm64", _tree_copy(tmp_path, "arm64"))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--only", "no-such-bug"], "mini-init-tools: unknown mutation 'no-such-bug': choose from "),
        (["--arch", "mips"], "mini-init-tools: unknown architecture 'mips': choose from amd64"),
        (["--fast", "--only", "no-255-cap"], "mini-init-tools: none of no-255-cap is in the fast"),
    ],
    ids=["mutation", "arch", "not-fast"],
)
def test_user_mistakes_are_one_line_without_a_traceback(
    arguments: list[str], message: str
) -> None:
    result = runner.invoke(app, ["mutate", *arguments])

    assert result.exit_code == 1
    assert len(result.output.splitlines()) == 1
    assert result.output.startswith(message)


def test_table_and_lines_show_survived_and_the_summary_counts_it() -> None:
    outcomes = [
        Outcome("no-drain", "amd64", Verdict.KILLED, "tests/init/test_shutdown.py::t[amd64]", 3.0),
        Outcome("no-drain", "arm64", Verdict.SURVIVED, "every claimed test passes: x", 9.5),
    ]
    console = Console(width=200, record=True)
    console.print(outcome_table(outcomes))

    assert "SURVIVED" in console.export_text()
    assert outcome_lines(outcomes)[1].split()[:3] == ["no-drain", "arm64", "SURVIVED"]
    assert summary(outcomes, 12.5) == "1 of 2 KILLED, 1 SURVIVED in 12 s"
    assert summary(outcomes[:1], 1146) == "1 of 1 KILLED in 19.1 min"


@pytest.mark.slow
def test_unseen_mutation_survives_fails_the_run_and_leaves_the_checkout_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(mutation_run, "select_mutations", lambda names, fast: (UNSEEN,))
    before = _tree_digest()

    result = runner.invoke(app, ["mutate", "--arch", "amd64"], terminal_width=300)

    assert result.exit_code == 1, result.output
    survived = [line for line in result.stdout.splitlines() if line.startswith("unseen-message")]
    assert [line.split()[:3] for line in survived] == [["unseen-message", "amd64", "SURVIVED"]]
    assert _tree_digest() == before


@pytest.mark.slow
def test_fast_subset_kills_every_mutant_on_every_architecture() -> None:
    """What CI runs on every change (docs/testing.md): about two minutes."""
    result = runner.invoke(app, ["mutate", "--fast"], terminal_width=300)

    rows = [line.split()[:3] for line in result.stdout.splitlines()[:-1]]
    assert [row for row in rows if row[2] != "KILLED"] == [], result.output
    assert result.exit_code == 0, result.output
