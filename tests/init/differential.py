"""The differential recorder: every run of the init a test waits for, recorded per scenario and
architecture, normalised, and compared across architectures (docs/contract.md: every build gives
the same exit codes and the same messages, byte for byte, for the same input).

A scenario is a test id without its architecture parameter; its runs are numbered in the order
the test started them, and the runs every architecture has are compared (how many runs there are
is the test's choice: fewer under QEMU, or fewer where a test failed, which it reports itself). What is normalised: in the init's own stderr lines, the timestamp
(`t=<seconds>`), PIDs (`pid=`, `pid `, `process group `) and the ` dropped=<n>` count; everywhere,
the inputs the harness makes different for every run by design (the test's working directory and
its cleanup tag). Nothing else: any other byte that differs is a difference.

A test whose event lines legitimately depend on timing says how its runs are compared with
`@pytest.mark.differential(MODE)`:
- "exact" (the default): exit status, stdout and the whole normalised stderr; PIDs are numbered
  in the order they first appear, so every line still says which process it is about.
- "sorted": the same, with the stderr lines sorted and every PID the same placeholder: for runs
  whose events are all determined but not their order (orphans reaped as they come).
- "messages": exit status, stdout and the stderr lines that are not -v events: for runs whose
  event count is not determined (a signal storm, where the kernel coalesces pending signals).
- "streams": like "exact", but what the init writes itself and what its child writes (the app's
  lines, and the child's own `cannot run` and `cannot take the terminal` between fork and exec)
  are compared as two sequences: with -v, how the two processes' writes interleave on the shared
  stderr is the scheduler's choice (a failed exec's message comes before or after the init's
  spawn event).
"""

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pytest

COMPARISONS = ("exact", "sorted", "messages", "streams")
DEFAULT_COMPARISON = "exact"
ARCH_PARAMETER = "arch"

INIT_LINE_PREFIX = b"mini-init: "
EVENT_PREFIX = b"mini-init: t="
TIMESTAMP = re.compile(rb"^mini-init: t=\d+\.\d+")
PID = re.compile(rb"(\bpid=|\bpid |\bprocess group )(\d+)")
DROPPED = re.compile(rb" dropped=\d+$")
# Lines the init's child writes between its fork and its exec (docs/contract.md sections 1, 2).
CHILD_LINE = re.compile(rb"^mini-init: (cannot run '|warning: cannot take the terminal: )")
STREAMS_SEPARATOR = b"-- written by the init's child and the app:"


@dataclass(frozen=True)
class Recording:
    """One run as the comparison sees it: the exit status and the normalised output."""

    exit_code: int
    stdout: bytes
    stderr: bytes

    def text(self) -> list[str]:
        """The lines a difference is shown in."""
        lines = [f"exit status: {self.exit_code}", "stdout:"]
        lines += [_printable(line) for line in self.stdout.split(b"\n")]
        lines += ["stderr:"]
        lines += [_printable(line) for line in self.stderr.split(b"\n")]
        return lines


def _printable(line: bytes) -> str:
    return "    " + line.decode(errors="backslashreplace")


def replace_inputs(output: bytes, inputs: Mapping[str, str]) -> bytes:
    """Replace each harness input (e.g. the working directory) with its placeholder."""
    for value, placeholder in sorted(inputs.items(), key=lambda item: -len(item[0])):
        output = output.replace(value.encode(), placeholder.encode())
    return output


def normalise_stderr(stderr: bytes, comparison: str) -> bytes:
    """Timestamps, PIDs and dropped counts of the init's own lines made comparable."""
    numbered: dict[bytes, bytes] = {}

    def pid_placeholder(match: re.Match[bytes]) -> bytes:
        if comparison != "exact":
            return match[1] + b"<pid>"
        number = numbered.setdefault(match[2], b"<pid%d>" % (len(numbered) + 1))
        return match[1] + number

    lines = []
    for line in stderr.split(b"\n"):
        if line.startswith(INIT_LINE_PREFIX):
            line = TIMESTAMP.sub(b"mini-init: t=<t>", line)
            line = DROPPED.sub(b" dropped=<n>", line)
            line = PID.sub(pid_placeholder, line)
        lines.append(line)
    if comparison == "messages":
        lines = [line for line in lines if not line.startswith(EVENT_PREFIX)]
    if comparison == "sorted":
        lines.sort()
    if comparison == "streams":
        own = [line for line in lines if _written_by_the_init(line)]
        lines = [
            *own,
            STREAMS_SEPARATOR,
            *[line for line in lines if not _written_by_the_init(line)],
        ]
    return b"\n".join(lines)


def _written_by_the_init(line: bytes) -> bool:
    return line.startswith(INIT_LINE_PREFIX) and not CHILD_LINE.match(line)


def recording_of(
    exit_code: int, stdout: bytes, stderr: bytes, comparison: str, inputs: Mapping[str, str]
) -> Recording:
    if comparison not in COMPARISONS:
        raise ValueError(f"unknown differential comparison {comparison!r}: one of {COMPARISONS}")
    return Recording(
        exit_code,
        replace_inputs(stdout, inputs),
        normalise_stderr(replace_inputs(stderr, inputs), comparison),
    )


def difference(name: str, recordings: Mapping[str, Recording]) -> str | None:
    """A unified diff of each architecture's recording against the first one's, or None when
    they are all the same."""
    (first_arch, first), *others = recordings.items()
    diffs = [
        "\n".join(difflib.unified_diff(first.text(), other.text(), first_arch, arch, lineterm=""))
        for arch, other in others
        if other != first
    ]
    return f"{name}\n" + "\n".join(diffs) if diffs else None


def scenario_of(item: pytest.Item) -> tuple[str, str] | None:
    """(scenario, architecture) of a test run on one architecture; None for any other test."""
    callspec = getattr(item, "callspec", None)
    if callspec is None or ARCH_PARAMETER not in callspec.params:
        return None
    arch = str(callspec.params[ARCH_PARAMETER])
    ids = callspec.id.split("-")
    ids.remove(arch)
    return f"{item.nodeid.split('[', 1)[0]}[{'-'.join(ids)}]", arch


def comparison_of(item: pytest.Item) -> str:
    marker = item.get_closest_marker("differential")
    comparison = str(marker.args[0]) if marker is not None else DEFAULT_COMPARISON
    if comparison not in COMPARISONS:
        raise ValueError(f"{item.nodeid}: differential({comparison!r}) is not one of {COMPARISONS}")
    return comparison


@dataclass
class DifferentialRecorder:
    """The recordings of a test session: scenario -> architecture -> run number -> recording."""

    runs: dict[str, dict[str, dict[int, Recording]]] = field(default_factory=dict)

    def record(self, scenario: str, arch: str, run_number: int, recording: Recording) -> None:
        self.runs.setdefault(scenario, {}).setdefault(arch, {})[run_number] = recording

    def compared_scenarios(self) -> int:
        return sum(len(by_arch) > 1 for by_arch in self.runs.values())

    def differences(self) -> list[str]:
        """One entry per run whose recordings differ across architectures, with its diff."""
        found: list[str] = []
        for scenario, by_arch in sorted(self.runs.items()):
            if len(by_arch) < 2:
                continue  # recorded on one architecture only (a QEMU limit skipped the others)
            numbers = set.intersection(*(set(runs) for runs in by_arch.values()))
            for number in sorted(numbers):
                recordings = {arch: by_arch[arch][number] for arch in sorted(by_arch)}
                diff = difference(f"{scenario} run {number}", recordings)
                if diff is not None:
                    found.append(diff)
        return found
