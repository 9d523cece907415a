"""Drop-in for tini and dumb-init (issue 10): their options, variables, names and signal set."""

import os
import signal
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

import pytest
from mini_init_tools.version import VERSION

from . import procfs
from .contract_text import (
    LICENSE_LINE,
    NOT_REAPING,
    TINI_VERSION_LINE,
    VERSION_LINE,
    start_warnings,
    token_warning,
    warning,
)
from .harness import (
    KILLED_BY_SIGKILL,
    ONLY_AS_CHILD,
    RUN_TIMEOUT,
    TIMER_SLACK,
    UNSHARE,
    InitLauncher,
    InitRun,
    SignalRecorder,
    Target,
    assert_seconds,
    python_helper,
    wait_until,
)
from .launch_variants import WrappedTarget

SETTLE_SECONDS = 0.3  # long enough for a forwarded signal to arrive if it wrongly were
# Never forwarded: SIGCHLD by the contract; SIGKILL and SIGSTOP cannot be caught; 32 and 33 are
# glibc's own, which the Python recorder cannot catch.
NOT_RECORDABLE = {signal.SIGKILL, signal.SIGSTOP, signal.SIGCHLD, 32, 33}
# Under QEMU user mode (docs/design.md): real-time signals are remapped, and the fault signals
# sent with kill are taken by QEMU itself, so they are checked natively only.
FAULT_SIGNALS = {signal.SIGILL, signal.SIGABRT, signal.SIGBUS, signal.SIGFPE, signal.SIGSEGV}
QEMU_RESERVED = FAULT_SIGNALS | set(range(32, 65))


def ignoring_app(workdir: Path, *names: str) -> list[str]:
    """An app that ignores `names` (e.g. TERM) and sleeps; DIR/ready once it does."""
    return ["sh", "-c", f'trap "" {" ".join(names)}; touch "{workdir}/ready"; exec sleep 30']


def start_ignoring_app(
    mini_init: InitLauncher,
    names: tuple[str, ...],
    options: list[str],
    env: Mapping[str, str | None],
) -> InitRun:
    run = mini_init.start(ignoring_app(mini_init.workdir, *names), options=options, env=env)
    wait_until((mini_init.workdir / "ready").exists, "the app to ignore its signals")
    run.main_child("sleep")
    return run


def timer_events(run: InitRun) -> list[str]:
    return [event.text for event in run.events_so_far() if event.text.startswith("event=timer")]


# Options end at the first non-option -----------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "exit_code", "stdout"),
    [
        pytest.param(["true"], 0, "", id="bare-command"),
        pytest.param(["sh", "-c", "exit 5"], 5, "", id="command-with-options-of-its-own"),
        pytest.param(["printf", "%s|", "-v", "--", "-x"], 0, "-v|--|-x|", id="later-dashes"),
        pytest.param(["--", "printf", "%s|", "-s"], 0, "-s|", id="separator"),
    ],
)
def test_options_end_at_the_first_non_option(
    target: Target, mini_init: InitLauncher, arguments: list[str], exit_code: int, stdout: str
) -> None:
    finished = mini_init.start_with_arguments(arguments).wait()

    assert (finished.exit_code, finished.stdout) == (exit_code, stdout)
    assert finished.stderr_lines == start_warnings(target.as_pid1)


def test_option_before_the_command_applies_without_separator(mini_init: InitLauncher) -> None:
    finished = mini_init.start_with_arguments(["-s", "sh", "-c", "exit 5"]).wait()

    assert finished.exit_code == 5
    assert finished.stderr_lines == []  # -s: a subreaper does not warn


@pytest.mark.parametrize("command", ["-", "-v"], ids=["lone-dash", "dash-after-separator"])
def test_dash_words_as_commands(target: Target, mini_init: InitLauncher, command: str) -> None:
    arguments = [command] if command == "-" else ["--", command]
    finished = mini_init.start_with_arguments(arguments).wait()

    assert finished.exit_code == 127
    assert finished.stderr_lines == [
        *start_warnings(target.as_pid1),
        f"mini-init: cannot run '{command}': No such file or directory",
    ]


@pytest.mark.parametrize(
    "options", [["-vvv"], ["-v", "-v"], ["--verbose"], ["-sv"], ["-vs"]], ids=" ".join
)
def test_verbose_clusters_log_events(mini_init: InitLauncher, options: list[str]) -> None:
    finished = mini_init.run(["sh", "-c", "exit 4"], options=options)

    assert finished.exit_code == 4
    assert finished.event_texts[-1] == "event=exit status=4"
    assert finished.event_texts[0].startswith(f"event=start version={VERSION} ")


# -s and its variables: a subreaper reaps orphans and does not warn ---------------------------


@ONLY_AS_CHILD
@pytest.mark.parametrize(
    ("options", "env"),
    [
        (["-s"], {}),
        (["-sv"], {}),
        ([], {"EP_SUBREAPER": "1"}),
        ([], {"TINI_SUBREAPER": ""}),
        ([], {"TINI_SUBREAPER": "1"}),
        ([], {"TINI_SUBREAPER": "no"}),
    ],
    ids=["-s", "-sv", "EP_SUBREAPER", "TINI_SUBREAPER-empty", "TINI_SUBREAPER-1", "TINI-no"],
)
def test_subreaper_reaps_orphans_without_warning(
    mini_init: InitLauncher, options: list[str], env: dict[str, str]
) -> None:
    pid_file = mini_init.workdir / "orphan-pid"
    finished = mini_init.run(
        ["sh", "-c", f'sleep 0.3 & echo $! > "{pid_file}"; exit 0'],
        options=[*options, "-v"],
        env=env,
    )

    orphan = pid_file.read_text().strip()
    assert finished.exit_code == 0
    assert finished.messages == []
    assert any(text.startswith(f"event=reap main=0 pid={orphan} ") for text in finished.event_texts)


# -e and EP_EXIT_REMAP --------------------------------------------------------------------------

KILLS_ITSELF_WITH_TERM = ["sh", "-c", "kill -TERM $$"]


@pytest.mark.parametrize(
    ("options", "env"),
    [
        (["-e143"], {}),
        (["-e", "143"], {}),
        (["-e", "5", "-e", "143"], {}),
        ([], {"EP_EXIT_REMAP": "143"}),
        ([], {"EP_EXIT_REMAP": " 5 ,143"}),
        (["-e", "5"], {"EP_EXIT_REMAP": "143"}),
    ],
    ids=["-e143", "-e-143", "repeated", "EP_EXIT_REMAP", "EP_EXIT_REMAP-list", "both-add-up"],
)
def test_exit_remap_turns_the_status_into_0(
    target: Target, mini_init: InitLauncher, options: list[str], env: dict[str, str]
) -> None:
    finished = mini_init.run(KILLS_ITSELF_WITH_TERM, options=options, env=env)

    assert finished.exit_code == 0
    assert finished.stderr_lines == start_warnings(target.as_pid1)


def test_exit_remap_leaves_other_statuses_alone(mini_init: InitLauncher) -> None:
    assert mini_init.run(KILLS_ITSELF_WITH_TERM, options=["-e", "5"]).exit_code == 143
    assert mini_init.run(["sh", "-c", "exit 4"], options=["-e", "143"]).exit_code == 4


@pytest.mark.slow
def test_exit_remap_covers_every_code(target: Target, mini_init: InitLauncher) -> None:
    """All 256 codes natively (about 15 ms a run); a sample of them under QEMU."""
    codes = range(256) if not target.emulated else [0, 1, 2, 125, 126, 127, 128, 143, 254, 255]
    remapped = {
        code: mini_init.run(["sh", "-c", f"exit {code}"], options=["-e", str(code)]).exit_code
        for code in codes
    }

    assert {code: status for code, status in remapped.items() if status != 0} == {}


# -p and EP_PDEATHSIG ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "env", "expected"),
    [
        (["-p", "SIGUSR1"], {}, signal.SIGUSR1),
        (["-p", "usr1"], {}, signal.SIGUSR1),
        (["-p10"], {}, signal.SIGUSR1),
        ([], {"EP_PDEATHSIG": "SigUsr2"}, signal.SIGUSR2),
        (["-p", "USR1"], {"EP_PDEATHSIG": "USR2"}, signal.SIGUSR1),
    ],
    ids=["-p-SIGUSR1", "-p-usr1", "-p10", "EP_PDEATHSIG", "-p-replaces-EP_PDEATHSIG"],
)
def test_parent_death_signal_reaches_the_init_and_is_forwarded(
    mini_init: InitLauncher, options: list[str], env: dict[str, str], expected: int
) -> None:
    recorder = SignalRecorder(mini_init.workdir)
    run = mini_init.start(
        recorder.command(0, signal.SIGUSR1, signal.SIGUSR2, signal.SIGTERM),
        options=options,
        env=env,
    )
    recorder.wait_ready(1)
    init = run.init_pid

    run.process.kill()  # the launcher is the init's parent
    run.process.wait()

    recorder.wait_received(expected, 1)
    time.sleep(SETTLE_SECONDS)
    other = signal.SIGUSR2 if expected == signal.SIGUSR1 else signal.SIGUSR1
    assert recorder.receivers(other) == 0
    os.kill(init, signal.SIGTERM)
    wait_until(lambda: not procfs.is_alive(init), "the orphaned init to exit after SIGTERM")


# -w --------------------------------------------------------------------------------------------


def test_w_warns_for_every_reaped_process_but_the_main_child(mini_init: InitLauncher) -> None:
    pid_file = mini_init.workdir / "orphan-pid"
    finished = mini_init.run(
        ["sh", "-c", f'sleep 0.3 & echo $! > "{pid_file}"; exit 0'], options=["-s", "-w"]
    )

    assert finished.exit_code == 0
    assert finished.stderr_lines == [
        warning(f"Reaped zombie process with pid={pid_file.read_text().strip()}")
    ]


def test_w_is_silent_when_only_the_main_child_exits(mini_init: InitLauncher) -> None:
    finished = mini_init.run(["sh", "-c", "exit 3"], options=["-sw"])

    assert (finished.exit_code, finished.stderr) == (3, "")


# -l --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("arguments", [["-l"], ["-l", "--", "touch", "ran"]], ids=["alone", "cmd"])
def test_l_prints_the_license_line_and_exits_0(
    mini_init: InitLauncher, arguments: list[str]
) -> None:
    finished = mini_init.start_with_arguments(arguments).wait()

    assert (finished.exit_code, finished.stdout) == (0, LICENSE_LINE)
    assert finished.stderr == ""
    assert not (mini_init.workdir / "ran").exists()


# -c, -g, EP_SINGLE_CHILD, TINI_KILL_PROCESS_GROUP ---------------------------------------------


@pytest.mark.parametrize(
    ("options", "env", "group"),
    [
        ([], {}, True),
        (["-c"], {}, False),
        (["--single-child"], {}, False),
        ([], {"EP_SINGLE_CHILD": "1"}, False),
        (["-g"], {"EP_SINGLE_CHILD": "1"}, True),
        ([], {"TINI_KILL_PROCESS_GROUP": "1"}, True),
        ([], {"TINI_KILL_PROCESS_GROUP": ""}, True),
    ],
    ids=["default", "-c", "--single-child", "EP_SINGLE_CHILD", "-g-overrides", "TINI_KPG", "kpg"],
)
def test_signal_target_is_the_group_or_the_main_child_alone(
    mini_init: InitLauncher, options: list[str], env: dict[str, str], group: bool
) -> None:
    recorder = SignalRecorder(mini_init.workdir)
    run = mini_init.start(
        recorder.command(1, signal.SIGUSR1, signal.SIGTERM), options=options, env=env
    )
    recorder.wait_ready(2)
    app = procfs.namespace_pid(run.main_child())

    run.send(signal.SIGUSR1)

    recorder.wait_received(signal.SIGUSR1, 2 if group else 1)
    time.sleep(SETTLE_SECONDS)
    received = sorted(path.name for path in recorder.directory.glob(f"*.{signal.SIGUSR1}"))
    if group:
        assert len(received) == 2
    else:
        assert received == [f"{app}.{signal.SIGUSR1}"]
    run.send(signal.SIGTERM)
    assert run.wait().exit_code == 0


# -r, --rewrite, EP_REWRITE ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "env", "arrives_as"),
    [
        (["-r", "10:12"], {}, signal.SIGUSR2),
        (["-rusr1:SigUsr2"], {}, signal.SIGUSR2),
        (["--rewrite=SIGUSR1:usr2"], {}, signal.SIGUSR2),
        (["--rewrite", "Usr1:12"], {}, signal.SIGUSR2),
        ([], {"EP_REWRITE": "usr1:SIGUSR2"}, signal.SIGUSR2),
        ([], {"EP_REWRITE": " WINCH:HUP , USR1:USR2"}, signal.SIGUSR2),
        (["-r", "USR1:HUP"], {"EP_REWRITE": "USR1:USR2"}, signal.SIGHUP),
    ],
    ids=["-r", "-r-cluster", "--rewrite=", "--rewrite", "EP_REWRITE", "list", "cli-wins"],
)
def test_rewrite_forwards_s_as_r(
    mini_init: InitLauncher, options: list[str], env: dict[str, str], arrives_as: int
) -> None:
    recorder = SignalRecorder(mini_init.workdir)
    recorded = [signal.SIGUSR1, signal.SIGUSR2, signal.SIGHUP, signal.SIGTERM]
    run = mini_init.start(recorder.command(0, *recorded), options=[*options, "-v"], env=env)
    recorder.wait_ready(1)

    run.send(signal.SIGUSR1)

    recorder.wait_received(arrives_as, 1)
    time.sleep(SETTLE_SECONDS)
    assert [number for number in recorded if recorder.receivers(number)] == [arrives_as]
    run.wait_for_event(f"event=signal action=forward sig={arrives_as}")  # the signal sent
    run.send(signal.SIGTERM)
    assert run.wait().exit_code == 0


@pytest.mark.parametrize(
    ("options", "env"), [(["-r", "USR1:0"], {}), ([], {"EP_REWRITE": "USR1:0"})], ids=["-r", "env"]
)
def test_rewrite_to_0_drops_the_signal(
    mini_init: InitLauncher, options: list[str], env: dict[str, str]
) -> None:
    recorder = SignalRecorder(mini_init.workdir)
    run = mini_init.start(
        recorder.command(0, signal.SIGUSR1, signal.SIGTERM), options=[*options, "-v"], env=env
    )
    recorder.wait_ready(1)

    run.send(signal.SIGUSR1)

    run.wait_for_event(f"event=signal action=drop sig={signal.SIGUSR1}")
    time.sleep(SETTLE_SECONDS)
    assert recorder.receivers(signal.SIGUSR1) == 0
    run.send(signal.SIGTERM)
    assert run.wait().exit_code == 0


def test_signal_rewritten_to_term_arms_the_grace_timer(
    target: Target, mini_init: InitLauncher
) -> None:
    run = start_ignoring_app(
        mini_init, ("TERM",), ["-v", "-r", "USR1:TERM"], {"EP_GRACE_SECONDS": "1"}
    )

    sent_at = time.monotonic()
    run.send(signal.SIGUSR1)
    finished = run.wait()

    assert finished.exit_code == KILLED_BY_SIGKILL
    assert 1 - 0.05 <= finished.ended_at - sent_at <= 1 + TIMER_SLACK
    assert "event=timer action=arm seconds=1" in finished.event_texts
    assert "event=escalate sig=9" in finished.event_texts
    armed = finished.event("event=timer action=arm seconds=1")
    fired = finished.event("event=timer action=fire")
    assert_seconds("the grace period", fired.seconds - armed.seconds, 1, target.timer_tolerance)


@pytest.mark.slow
def test_term_rewritten_away_is_no_stop_request(mini_init: InitLauncher) -> None:
    run = start_ignoring_app(
        mini_init, ("TERM", "USR1"), ["-v", "-r", "TERM:USR1"], {"EP_GRACE_SECONDS": "1"}
    )
    app = run.main_child("sleep")

    run.send(signal.SIGTERM)
    run.wait_for_event(f"event=signal action=forward sig={signal.SIGUSR1}")
    time.sleep(1 + TIMER_SLACK)

    assert procfs.is_alive(app), "the app was killed: TERM rewritten away armed the grace timer"
    assert timer_events(run) == []
    os.kill(app, signal.SIGKILL)
    assert run.wait().exit_code == KILLED_BY_SIGKILL


# Variables and their warnings ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"EP_SINGLE_CHILD": "yes"}, warning("EP_SINGLE_CHILD='yes' is invalid, using 0")),
        ({"EP_REWRITE": "15:FOO"}, token_warning("EP_REWRITE", "15:FOO", "is not S:R")),
        ({"EP_REWRITE": "TERM"}, token_warning("EP_REWRITE", "TERM", "is not S:R")),
        ({"EP_EXIT_REMAP": "300"}, token_warning("EP_EXIT_REMAP", "300", "is not an exit status")),
        ({"EP_EXIT_REMAP": "x"}, token_warning("EP_EXIT_REMAP", "x", "is not an exit status")),
        ({"EP_PDEATHSIG": "FOO"}, token_warning("EP_PDEATHSIG", "FOO", "is not a signal")),
        ({"EP_VERBOSITY": "abc"}, warning("EP_VERBOSITY='abc' is invalid, using 0")),
        (
            {"EP_VERBOSITY": "99999999999"},
            warning("EP_VERBOSITY='99999999999' is too large, using 4294967295"),
        ),
    ],
    ids=[
        "EP_SINGLE_CHILD",
        "EP_REWRITE-bad-signal",
        "EP_REWRITE-no-colon",
        "EP_EXIT_REMAP-300",
        "EP_EXIT_REMAP-x",
        "EP_PDEATHSIG",
        "EP_VERBOSITY-invalid",
        "EP_VERBOSITY-huge",
    ],
)
def test_bad_values_of_the_new_variables_warn_in_one_exact_line(
    target: Target, mini_init: InitLauncher, env: dict[str, str], expected: str
) -> None:
    finished = mini_init.run(["sh", "-c", "exit 6"], env=env)

    assert finished.exit_code == 6
    assert finished.messages == [expected, *start_warnings(target.as_pid1)]


@pytest.mark.parametrize(
    ("value", "logs_events"), [("1", False), ("2", True), ("3", True)], ids=["1", "2", "3"]
)
def test_tini_verbosity_of_2_or_more_turns_on_events(
    target: Target, mini_init: InitLauncher, value: str, logs_events: bool
) -> None:
    finished = mini_init.run(["true"], env={"TINI_VERBOSITY": value})

    assert finished.exit_code == 0
    assert finished.messages == start_warnings(target.as_pid1)
    assert bool(finished.events) == logs_events
    if logs_events:
        assert finished.event_texts[-1] == "event=exit status=0"


# Every signal but CHLD is forwarded ------------------------------------------------------------


def test_every_catchable_signal_is_forwarded_to_the_app(
    target: Target, mini_init: InitLauncher
) -> None:
    """1..64 but KILL, STOP and CHLD (and 32, 33, which the Python recorder cannot catch); under
    QEMU, without the real-time and fault signals QEMU keeps for itself (docs/design.md)."""
    skipped = NOT_RECORDABLE | (QEMU_RESERVED if target.emulated else set())
    numbers = [number for number in range(1, 65) if number not in skipped]
    recorder = SignalRecorder(mini_init.workdir)
    run = mini_init.start(recorder.command(0, *numbers), env={"EP_GRACE_SECONDS": "60"})
    recorder.wait_ready(1)

    for number in numbers:
        if number != signal.SIGTERM:
            run.send(number)
            recorder.wait_received(number, 1)

    assert procfs.is_alive(run.init_pid) and not procfs.is_stopped(run.init_pid)
    run.send(signal.SIGTERM)
    assert run.wait().exit_code == 0


def test_chld_sent_to_the_init_is_not_forwarded(mini_init: InitLauncher) -> None:
    recorder = SignalRecorder(mini_init.workdir)
    run = mini_init.start(recorder.command(0, signal.SIGCHLD, signal.SIGTERM))
    recorder.wait_ready(1)

    run.send(signal.SIGCHLD)
    time.sleep(SETTLE_SECONDS)

    assert recorder.receivers(signal.SIGCHLD) == 0
    run.send(signal.SIGTERM)
    assert run.wait().exit_code == 0


# What the caller set up reaches the app -------------------------------------------------------

CALLER_IGNORES: list[int] = [signal.SIGTTOU, signal.SIGSEGV, signal.SIGINT]
CALLER_BLOCKS: list[int] = [signal.SIGTTIN, signal.SIGILL, signal.SIGTERM]


def sigconf_wrapper(ignored: list[int], blocked: list[int]) -> tuple[str, ...]:
    """helpers/sigconf_exec.py: exactly these ignored and blocked signals, then exec the init."""

    def listed(numbers: list[int]) -> str:
        return ",".join(str(int(number)) for number in numbers) or "-"

    return tuple(python_helper("sigconf_exec.py", listed(ignored), listed(blocked)))


def test_app_keeps_the_ignored_signals_and_mask_of_the_caller(
    target: Target, mini_init: InitLauncher
) -> None:
    """Natively all six; under QEMU the fault signals (SEGV, ILL) are QEMU's own on the host, so
    a guest's setup of them cannot survive an exec there (docs/design.md): the other four."""
    mini_init.target = WrappedTarget(
        target.arch,
        target.binary,
        target.as_pid1,
        wrapper=sigconf_wrapper(CALLER_IGNORES, CALLER_BLOCKS),
    )
    run = mini_init.start(["sleep", "30"])
    app = run.main_child()
    wait_until(lambda: procfs.is_in_nanosleep(app), "the app to settle in its sleep")

    checked = set(range(1, 65)) - (FAULT_SIGNALS if target.emulated else set())
    assert procfs.ignored_signals(app) & checked == set(CALLER_IGNORES) & checked
    assert procfs.blocked_signals(app) & checked == set(CALLER_BLOCKS) & checked
    os.kill(app, signal.SIGKILL)
    assert run.wait().exit_code == KILLED_BY_SIGKILL


@pytest.mark.parametrize("app_exits", ["on-its-own", "by-signal"])
def test_caller_ignoring_sigchld_still_gets_the_app_status(
    target: Target, mini_init: InitLauncher, app_exits: str
) -> None:
    """The init resets SIGCHLD to its default so it can reap; the app inherits that default,
    and every other signal the caller ignored stays ignored."""
    mini_init.target = WrappedTarget(
        target.arch,
        target.binary,
        target.as_pid1,
        wrapper=sigconf_wrapper([signal.SIGCHLD, signal.SIGTTOU], []),
    )
    if app_exits == "on-its-own":
        assert mini_init.run(["sh", "-c", "exit 5"]).exit_code == 5
        return
    run = mini_init.start(["sleep", "30"])
    app = run.main_child()
    wait_until(lambda: procfs.is_in_nanosleep(app), "the app to settle in its sleep")

    assert procfs.ignored_signals(app) & {signal.SIGCHLD, signal.SIGTTOU} == {signal.SIGTTOU}
    run.send(signal.SIGTERM)
    assert run.wait().exit_code == 128 + signal.SIGTERM


# Who warns that reaping will not work -----------------------------------------------------------


def run_directly(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, capture_output=True, text=True, timeout=RUN_TIMEOUT, env=env, check=False
    )


def test_no_reaping_warning_when_the_parent_is_pid_1(
    init_binary: Path, mini_init: InitLauncher
) -> None:
    """Stacked under another init (docker run --init on a mini-init image, a pod's pause)."""
    shell = f'"{init_binary}" -- true; echo "status=$?" >&2'
    finished = run_directly(
        [UNSHARE, "--pid", "--fork", "--mount-proc", "sh", "-c", shell], mini_init.environment({})
    )

    assert finished.stderr == "status=0\n"


def test_reaping_warning_when_the_parent_is_an_ordinary_process(
    init_binary: Path, mini_init: InitLauncher
) -> None:
    finished = run_directly([str(init_binary), "--", "true"], mini_init.environment({}))

    assert (finished.returncode, finished.stderr) == (0, f"{NOT_REAPING}\n")


def test_no_reaping_warning_when_the_subreaper_attribute_was_inherited_across_exec(
    init_binary: Path, mini_init: InitLauncher
) -> None:
    finished = run_directly(
        python_helper("subreaper_exec.py", init_binary, "--", "true"), mini_init.environment({})
    )

    assert (finished.returncode, finished.stderr) == (0, "")


# Invoked as tini or docker-init ----------------------------------------------------------------

TINI_NAMES = ["tini", "docker-init"]


def named(target: Target, mini_init: InitLauncher, name: str) -> None:
    """Run the init through a symbolic link called `name` from now on."""
    link = mini_init.workdir / "links" / name
    link.parent.mkdir(exist_ok=True)
    link.symlink_to(target.binary)
    mini_init.target = Target(target.arch, link, target.as_pid1)


@pytest.mark.parametrize("name", TINI_NAMES)
@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version_in_the_form_dockerd_parses_when_invoked_as_tini(
    target: Target, mini_init: InitLauncher, name: str, flag: str
) -> None:
    named(target, mini_init, name)

    finished = mini_init.start_with_arguments([flag]).wait()

    assert (finished.exit_code, finished.stdout, finished.stderr) == (0, TINI_VERSION_LINE, "")


@pytest.mark.parametrize("name", ["mini-init", "init", "tini-static", "my-tini"])
def test_version_under_any_other_name_is_mini_init(
    target: Target, mini_init: InitLauncher, name: str
) -> None:
    named(target, mini_init, name)

    finished = mini_init.start_with_arguments(["--version"]).wait()

    assert (finished.exit_code, finished.stdout) == (0, VERSION_LINE)


@pytest.mark.slow
@pytest.mark.parametrize("name", TINI_NAMES)
def test_grace_period_is_off_by_default_when_invoked_as_tini(
    target: Target, mini_init: InitLauncher, name: str
) -> None:
    named(target, mini_init, name)
    run = start_ignoring_app(mini_init, ("TERM",), ["-v"], {"EP_GRACE_SECONDS": None})
    app = run.main_child("sleep")

    run.send(signal.SIGTERM)
    run.wait_for_event(f"event=signal action=forward sig={signal.SIGTERM}")
    time.sleep(1 + TIMER_SLACK)

    assert timer_events(run) == []
    assert procfs.is_alive(app)
    os.kill(app, signal.SIGKILL)
    assert run.wait().exit_code == KILLED_BY_SIGKILL


@pytest.mark.parametrize("name", TINI_NAMES)
def test_grace_seconds_set_applies_when_invoked_as_tini(
    target: Target, mini_init: InitLauncher, name: str
) -> None:
    named(target, mini_init, name)
    run = start_ignoring_app(mini_init, ("TERM",), ["-v"], {"EP_GRACE_SECONDS": "1"})

    run.send(signal.SIGTERM)
    finished = run.wait()

    assert finished.exit_code == KILLED_BY_SIGKILL
    assert "event=escalate sig=9" in finished.event_texts


@pytest.mark.parametrize("name", TINI_NAMES)
def test_messages_keep_the_mini_init_prefix_when_invoked_as_tini(
    target: Target, mini_init: InitLauncher, name: str
) -> None:
    named(target, mini_init, name)

    finished = mini_init.start_with_arguments(["-x", "true"]).wait()

    assert finished.exit_code == 2
    assert finished.stderr_lines[0] == "mini-init: unknown option '-x'"
