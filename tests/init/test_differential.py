"""Differential suite (issue 9): the same input gives the same bytes on every architecture.

Two parts. A generated corpus: configurations (valid, invalid, huge, empty and odd-byte values of
every EP_* variable), command lines (options, clusters, values, `--`, unknown options, no command)
and signals sent to the init, each input run on every architecture and compared byte for byte in a
test of its own. Then, after every other test, the comparison of what the differential recorder
(tests/init/differential.py) kept from every run of every other test.

Only PIDs, timestamps and the ` dropped=<n>` count are normalised (and the run's own working
directory, an input that differs per run); the init's own stderr lines and its child's are
compared as two sequences, since their interleaving is the scheduler's. The corpus is
deterministic (a seeded generator) and runs in about a minute with QEMU."""

import os
import random
import shutil
import signal
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from mini_init_tools.abi_table import ARCHITECTURES

from .conftest import InitBinaries, require_emulation
from .differential import DifferentialRecorder, difference, recording_of
from .harness import Finished, InitLauncher, InitRun, Target, wait_until

SEED = 9  # issue 9; change it to draw another corpus
CONFIGURATIONS = 110
COMMAND_LINES = 100
SIGNAL_SEQUENCES = 24
PID1_SHARE = 0.3  # of the inputs run with the init as PID 1 of a PID namespace; the rest as a child
RUN_TIMEOUT = 15.0
SIGNAL_SEEN_TIMEOUT = 2.0  # for the app to print a signal the init forwards
DROPPED_SIGNAL_SETTLE = 0.15  # after a signal the init should not forward, before the next one
# The init's own lines and its child's (the app's, a failed exec's message) are compared as two
# exact sequences: how two processes' writes to one stderr interleave is the scheduler's choice
# (tests/init/differential.py).
COMPARISON = "streams"

MAX_U32 = "4294967295"
HUGE = ["4294967296", "18446744073709551616", "9" * 40, "1" + "0" * 300]
ODD = [
    "\udcff\udcfe",  # bytes that are not UTF-8
    "1\udcff",
    "\t1",
    "1\n",
    "a\nb",
    "\x01",
    "ü",
    "=",
    "'",
    "%s%n",
    "1" * 31,
    "2" * 32,
    "x" * 4096,
]
INVALID_NUMBERS = ["abc", "-1", "1.5", "0x10", " 2", "+2", "\u0663", "1e3"]
BOOLEANS = ["0", "1", "", "yes", "true", "2", " 1", "01", "on"]
SIGNAL_TOKENS = [
    "TERM", "SIGTERM", "term", "SigUsr1", "usr2", "15", "1", "31", "32", "64", "RT1", "RT30",
    "rt2", "KILL", "9", "STOP", "CHLD", "17", "SIG", "FOO", "0", "65", "-1", "RT", "RTX",
    " HUP ", "", "A" * 40, "\udcff",
]  # fmt: skip
VALUES: dict[str, list[str]] = {
    "EP_GRACE_SECONDS": ["0", "3", "007", "off", "OFF", MAX_U32, *INVALID_NUMBERS],
    "EP_SUBREAPER": BOOLEANS,
    "EP_RESTART_ENABLED": BOOLEANS,
    "EP_RESTART_BACKOFF_SECONDS": ["0", "1", MAX_U32, *INVALID_NUMBERS],
    "EP_MAX_RESTARTS": ["0", "1", "2", MAX_U32, *INVALID_NUMBERS],
    "EP_EXIT_CODE_BASE": ["0", "100", "128", "250", "255", "256", "1000", *INVALID_NUMBERS],
    "EP_SINGLE_CHILD": BOOLEANS,
    "EP_VERBOSITY": ["0", "1", "2", MAX_U32, *INVALID_NUMBERS],
    "EP_SIGRTMIN": ["34", "32", "1", "64", "0", "65", "40", *INVALID_NUMBERS],
    "EP_SIGRTMAX": ["64", "34", "63", "1", "0", "65", "20", *INVALID_NUMBERS],
    "EP_PDEATHSIG": ["TERM", "kill", "9", "SIGUSR1", "0", "65", "FOO", "RT1", " TERM"],
    "TINI_SUBREAPER": ["", "1", "no"],
    "TINI_VERBOSITY": ["0", "1", "2", "3", "x"],
    "TINI_KILL_PROCESS_GROUP": ["", "0", "1"],
}
LISTS = {"EP_SIGNALS": SIGNAL_TOKENS}
PAIRS = {
    "EP_REWRITE": (SIGNAL_TOKENS, ["2", "0", "USR1", "sigusr2", "FOO", "", "9", "RT1", "65"]),
}
EXIT_CODES = ["0", "1", "3", "137", "138", "143", "255", "256", "300", "-1", "x", "", "1" * 40]
VARIABLES = [*VALUES, *LISTS, *PAIRS, "EP_EXIT_REMAP"]

# Commands that end on their own at once. They are the only programs a corpus input may run:
# every other word that can land in the command position names nothing in PATH (checked below).
QUICK_COMMANDS = [
    ["true"],
    ["sh", "-c", "exit 3"],
    ["sh", "-c", "echo out; echo err >&2; exit 4"],
    ["printf", "[%s]", "a b", "", "\udcff", "-v"],
    ["mini-init-no-such-command"],
    ["/nonexistent/app"],
    [""],
    ["/"],
]
# Die by a signal: a restart candidate, and a status built from EP_EXIT_CODE_BASE.
CRASHING_COMMANDS = [["sh", "-c", "kill -s USR1 $$"], ["sh", "-c", "kill -s TERM $$"]]
SAFE_PROGRAMS = {"true", "sh", "printf"}
FLAG_CLUSTERS = ["-v", "-vvv", "-c", "-g", "-s", "-w", "-sw", "-vc", "-cg", "-gc", "-wv"]
LONG_FLAGS = ["--verbose", "--single-child"]
STOPPING_FLAGS = ["-V", "--version", "-h", "--help", "-l", "-vV", "-hv"]
VALUE_OPTIONS = {
    "-e": ["143", "0", "255", "300", "-1", "x", "", "143,138"],
    "-r": ["15:2", "TERM:0", "usr1:USR2", "15", "15:FOO", "x:y", "", "9:1"],
    "-p": ["TERM", "Kill", "9", "0", "FOO", "RT1", ""],
}
LONG_VALUE_OPTIONS = {"--rewrite": VALUE_OPTIONS["-r"]}
UNKNOWN_OPTIONS = ["-x", "-vx", "--no-such-option", "--verbose=1", "--version=2", "-", "---"]

# Signals an emulated init can be sent (QEMU keeps ILL, ABRT, BUS, FPE, SEGV and the real-time
# signals for itself: docs/design.md) and that the app below can take one at a time.
SENDABLE = [
    signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGTRAP, signal.SIGUSR1,
    signal.SIGUSR2, signal.SIGPIPE, signal.SIGALRM, signal.SIGTERM, signal.SIGSTKFLT,
    signal.SIGCONT, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU, signal.SIGURG,
    signal.SIGXCPU, signal.SIGXFSZ, signal.SIGVTALRM, signal.SIGPROF, signal.SIGWINCH,
    signal.SIGIO, signal.SIGPWR, signal.SIGSYS,
]  # fmt: skip
NEVER_FORWARDED = signal.SIGCHLD
# The app of a signal input: blocks every signal it may be sent and prints each one it takes, one
# at a time, so nothing stops or ends it; exits 0 when the file `stop` appears in its directory.
SIGNAL_APP = f"""
import os, signal
numbers = {sorted(int(number) for number in [*SENDABLE, NEVER_FORWARDED])}
signal.pthread_sigmask(signal.SIG_BLOCK, numbers)
print("ready", flush=True)
while not os.path.exists("stop"):
    info = signal.sigtimedwait(numbers, 0.02)
    if info is not None:
        print(info.si_signo, flush=True)
"""


@dataclass(frozen=True)
class CorpusInput:
    """One input: the init's arguments and extra environment, and the signals sent to it."""

    name: str
    arguments: tuple[str, ...]
    env: tuple[tuple[str, str], ...]
    as_pid1: bool
    signals: tuple[int, ...] = ()
    rewrites: tuple[tuple[int, int], ...] = ()  # (S, R) for the signals: R = 0 drops S

    def __str__(self) -> str:
        arguments = ["<signal app>" if word == SIGNAL_APP else word for word in self.arguments]
        return (
            f"{self.name}: {'PID 1' if self.as_pid1 else 'child'}, arguments {arguments}"
            f", environment {dict(self.env)}, signals {list(self.signals)}"
        )

    def forwarded_as(self, number: int) -> int:
        """What the app should get for `number` sent to the init (0: nothing)."""
        if number == NEVER_FORWARDED:
            return 0
        return dict(self.rewrites).get(number, number)


def signal_token(number: int, draw: random.Random) -> str:
    """`number` as any form a signal is accepted in: 15, TERM, SIGTERM, term, SigTerm."""
    name = signal.Signals(number).name
    return draw.choice([str(number), name, name.removeprefix("SIG"), name.lower(), name.title()])


def draw_value(variable: str, draw: random.Random) -> str:
    """A value for `variable`: valid, invalid, huge, empty or odd bytes."""
    kind = draw.choice(["own", "own", "own", "huge", "odd", "empty"])
    if kind == "huge":
        return draw.choice(HUGE)
    if kind == "odd":
        return draw.choice(ODD)
    if kind == "empty":
        return ""
    if variable in VALUES:
        return draw.choice(VALUES[variable])
    if variable in LISTS:
        tokens = draw.choices(LISTS[variable], k=draw.randint(1, 4))
        return ",".join(tokens)
    if variable in PAIRS:
        sources, results = PAIRS[variable]
        pairs = [
            f"{draw.choice(sources)}:{draw.choice(results)}" for _ in range(draw.randint(1, 3))
        ]
        return ",".join(pairs)
    return ",".join(draw.choices(EXIT_CODES, k=draw.randint(1, 3)))


def command_for(env: Mapping[str, str], draw: random.Random) -> list[str]:
    """A command that ends on its own under `env`: no crashing one when a crash would be
    restarted for long (restart on, backoff not 0, or more than two restarts)."""
    restarts_briefly = env.get("EP_RESTART_BACKOFF_SECONDS") == "0" and env.get(
        "EP_MAX_RESTARTS"
    ) in ("1", "2")
    restart_possible = env.get("EP_RESTART_ENABLED") not in (None, "0", "")
    if restart_possible and not restarts_briefly:
        return draw.choice(QUICK_COMMANDS)
    return draw.choice([*QUICK_COMMANDS, *CRASHING_COMMANDS, *CRASHING_COMMANDS])


def draw_configuration(index: int, draw: random.Random) -> CorpusInput:
    variables = draw.sample(VARIABLES, draw.randint(1, 3))
    env = {variable: draw_value(variable, draw) for variable in variables}
    if index % 4 == 0:  # a quarter shows the -v events these values lead to
        env["EP_VERBOSITY"] = "1"
    command = command_for(env, draw)
    return CorpusInput(
        f"configuration-{index:03d}",
        ("--", *command),
        tuple(env.items()),
        draw.random() < PID1_SHARE,
    )


def draw_option(draw: random.Random) -> list[str]:
    kind = draw.choice(
        ["flags", "flags", "long", "value", "value", "long-value", "unknown", "stop"]
    )
    if kind == "flags":
        return [draw.choice(FLAG_CLUSTERS)]
    if kind == "long":
        return [draw.choice(LONG_FLAGS)]
    if kind == "unknown":
        return [draw.choice(UNKNOWN_OPTIONS)]
    if kind == "stop":
        return [draw.choice(STOPPING_FLAGS)]
    if kind == "value":
        option = draw.choice(list(VALUE_OPTIONS))
        value = draw.choice(VALUE_OPTIONS[option])
        forms = [
            [option + value],
            [option, value],
            [draw.choice(["-v", "-s"]) + option[1:] + value],
        ]
        return draw.choice(forms)
    option = draw.choice(list(LONG_VALUE_OPTIONS))
    value = draw.choice(LONG_VALUE_OPTIONS[option])
    return draw.choice([[f"{option}={value}"], [option, value]])


def draw_command_line(index: int, draw: random.Random) -> CorpusInput:
    options = [word for _ in range(draw.randint(0, 4)) for word in draw_option(draw)]
    ending = draw.choice(["separator", "separator", "bare", "none", "separator-only"])
    command = draw.choice([*QUICK_COMMANDS, *CRASHING_COMMANDS])
    tail = {
        "separator": ["--", *command],
        "bare": command if not command[0].startswith("-") else ["--", *command],
        "none": [],
        "separator-only": ["--"],
    }[ending]
    env = {"EP_VERBOSITY": "1"} if index % 5 == 0 else {}
    return CorpusInput(
        f"command-line-{index:03d}",
        (*options, *tail),
        tuple(env.items()),
        draw.random() < PID1_SHARE,
    )


def draw_signal_sequence(index: int, draw: random.Random) -> CorpusInput:
    rewrites: dict[int, int] = {}  # EP_REWRITE's pairs, then -r's: the command line wins
    tokens: list[str] = []
    options: list[str] = []
    for _ in range(draw.randint(0, 2)):
        source, result = draw.choice(SENDABLE), draw.choice([0, *SENDABLE])
        rewrites[source] = result
        tokens.append(f"{signal_token(source, draw)}:{signal_token(result, draw) if result else 0}")
    for _ in range(draw.randint(0, 2)):
        source, result = draw.choice(SENDABLE), draw.choice([0, *SENDABLE])
        rewrites[source] = result
        options += ["-r", f"{signal_token(source, draw)}:{result}"]
    options += draw.sample(["-v", "-c", "-s", "-w", "-g"], draw.randint(0, 2))
    env = {"EP_REWRITE": ",".join(tokens)} if tokens else {}
    if draw.random() < 0.5:
        env["EP_GRACE_SECONDS"] = draw.choice(["30", "off", MAX_U32])
    sent = [draw.choice([*SENDABLE, NEVER_FORWARDED]) for _ in range(draw.randint(1, 4))]
    command = [sys.executable, "-I", "-S", "-c", SIGNAL_APP]
    return CorpusInput(
        f"signals-{index:03d}",
        (*options, "--", *command),
        tuple(env.items()),
        draw.random() < PID1_SHARE,
        tuple(int(number) for number in sent),
        tuple(rewrites.items()),
    )


def check_command_positions(corpus: Sequence[CorpusInput]) -> None:
    """No word of the corpus may run a real program but the few meant to: whatever an init takes
    for the command, it runs nothing else on this machine."""
    for case in corpus:
        for word in case.arguments:
            if word.startswith("-") or word in SAFE_PROGRAMS or word == sys.executable:
                continue
            found = shutil.which(word, path=os.defpath + ":/usr/local/sbin:/usr/sbin:/sbin")
            assert found is None, f"{case.name}: the word {word!r} would run {found}"


def generate_corpus() -> list[CorpusInput]:
    draw = random.Random(SEED)
    corpus = [draw_configuration(index, draw) for index in range(CONFIGURATIONS)]
    corpus += [draw_command_line(index, draw) for index in range(COMMAND_LINES)]
    corpus += [draw_signal_sequence(index, draw) for index in range(SIGNAL_SEQUENCES)]
    check_command_positions(corpus)
    return corpus


CORPUS = generate_corpus()


def send_one_at_a_time(run: InitRun, case: CorpusInput) -> None:
    """Send the input's signals, each once the app has printed the one before (or, for a signal
    the app should not get, after a pause), so the order of every line is determined."""

    def printed() -> int:
        return len(run.stdout_so_far().splitlines())

    wait_until(lambda: printed() >= 1 or run.process.poll() is not None, "the app to be ready")
    for number in case.signals:
        if run.process.poll() is not None:
            return
        before = printed()
        run.send(number)
        if case.forwarded_as(number):
            deadline = time.monotonic() + SIGNAL_SEEN_TIMEOUT
            while printed() == before and time.monotonic() < deadline:
                time.sleep(0.005)
        else:
            time.sleep(DROPPED_SIGNAL_SETTLE)


def run_input(launcher: InitLauncher, case: CorpusInput) -> Finished:
    run = launcher.start_with_arguments(case.arguments, env=dict(case.env))
    if case.signals:
        send_one_at_a_time(run, case)
        (launcher.workdir / "stop").touch()
    return run.wait(RUN_TIMEOUT)


@pytest.mark.every_architecture
@pytest.mark.parametrize("case", CORPUS, ids=lambda case: case.name)
def test_input_gives_the_same_bytes_on_every_architecture(
    case: CorpusInput, init_binaries: InitBinaries, tmp_path: Path
) -> None:
    recordings = {}
    for arch in ARCHITECTURES:
        require_emulation(arch)
        workdir = tmp_path / arch
        workdir.mkdir()
        launcher = InitLauncher(Target(arch, init_binaries.path(arch), case.as_pid1), workdir)
        try:
            finished = run_input(launcher, case)
        finally:
            launcher.kill_everything()
        recordings[arch] = recording_of(
            finished.exit_code,
            finished.stdout_bytes,
            finished.stderr_bytes,
            COMPARISON,
            launcher.varying_inputs(),
        )

    found = difference(str(case), recordings)
    assert found is None, found


def test_every_recorded_scenario_is_the_same_on_every_architecture(
    differential_recorder: DifferentialRecorder,
) -> None:
    """Runs after every other test (conftest.py): what the other tests' runs printed and returned
    is the same on every architecture."""
    differences = differential_recorder.differences()
    if differences:
        pytest.fail(
            f"{len(differences)} run(s) differ across architectures"
            f" ({differential_recorder.compared_scenarios()} scenarios compared):\n\n"
            + "\n\n".join(differences),
            pytrace=False,
        )
