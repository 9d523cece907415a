"""Starting the command: PATH lookup, 126/127 with their message, and what the child inherits."""

import os
import shutil
import signal
from pathlib import Path

import pytest

from . import procfs
from .harness import InitLauncher, InitRun, Target, wait_until

SCRIPT_REPORTING_ITS_NAME = '#!/bin/sh\necho "ran $0 $*"\n'
# docs/contract.md section 1: the search path when PATH is unset.
DEFAULT_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]
# A static shell for programs in a chroot of nothing else (Debian's busybox-static).
STATIC_BUSYBOX = Path("/bin/busybox")


def write_program(path: Path, text: str, mode: int = 0o755) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


def cannot_run(name: str, error: str) -> str:
    return f"mini-init: cannot run '{name}': {error}"


@pytest.mark.parametrize(
    "skipped_entry",
    ["/nonexistent", "/etc/passwd", f"/{'x' * 5000}"],
    ids=["missing-directory", "not-a-directory", "longer-than-the-init-handles"],
)
def test_command_without_slash_is_looked_up_in_path(
    mini_init: InitLauncher, skipped_entry: str
) -> None:
    programs = write_program(
        mini_init.workdir / "bin" / "hello-app", SCRIPT_REPORTING_ITS_NAME
    ).parent

    finished = mini_init.run(["hello-app", "a", "b c"], env={"PATH": f"{skipped_entry}:{programs}"})

    assert finished.exit_code == 0
    assert finished.stdout == f"ran {programs}/hello-app a b c\n"


def test_command_with_slash_is_not_looked_up_in_path(mini_init: InitLauncher) -> None:
    write_program(mini_init.workdir / "hello-app", SCRIPT_REPORTING_ITS_NAME)
    programs = write_program(mini_init.workdir / "bin" / "hello-app", "#!/bin/sh\nexit 9\n").parent

    finished = mini_init.run(["./hello-app"], env={"PATH": str(programs)})

    assert (finished.exit_code, finished.stdout) == (0, "ran ./hello-app \n")


def test_empty_path_entry_means_current_directory(mini_init: InitLauncher) -> None:
    write_program(mini_init.workdir / "hello-app", SCRIPT_REPORTING_ITS_NAME)

    finished = mini_init.run(["hello-app"], env={"PATH": "/nonexistent::/bin"})

    assert (finished.exit_code, finished.stdout) == (0, "ran hello-app \n")


def root_with_default_path_directories(target: Target, workdir: Path, probes_from: int) -> Path:
    """A root holding the init, a static busybox and the default PATH's directories as real
    directories (on this merged-/usr host /bin is /usr/bin), where directories `probes_from` and
    later hold `path-probe`, a script printing the path it was started as."""
    if not STATIC_BUSYBOX.exists():
        pytest.fail(f"{STATIC_BUSYBOX} is missing: apt-get install busybox-static", pytrace=False)
    root = workdir / "root"
    for index, directory in enumerate(DEFAULT_PATH):
        (root / directory.lstrip("/")).mkdir(parents=True)
        if index >= probes_from:
            write_program(root / directory.lstrip("/") / "path-probe", '#!/busybox sh\necho "$0"\n')
    shutil.copy(STATIC_BUSYBOX, root / "busybox")
    shutil.copy(target.binary, root / target.binary.name)
    return root


@pytest.mark.parametrize(
    "probes_from", range(len(DEFAULT_PATH)), ids=lambda index: DEFAULT_PATH[index]
)
def test_unset_path_searches_the_default_path_in_order(
    target: Target, mini_init: InitLauncher, probes_from: int
) -> None:
    """The init runs chrooted where only the probes exist: with a probe in directory N and every
    later one, it must find directory N's, for every N, so the list is exact and in order."""
    root = root_with_default_path_directories(target, mini_init.workdir, probes_from)

    finished = mini_init.start(["path-probe"], env={"PATH": None}, root=root).wait()

    assert (finished.exit_code, finished.stdout) == (0, f"{DEFAULT_PATH[probes_from]}/path-probe\n")
    assert finished.stderr_lines == target.start_warnings


def test_unset_path_searches_nothing_else(target: Target, mini_init: InitLauncher) -> None:
    root = root_with_default_path_directories(target, mini_init.workdir, len(DEFAULT_PATH))
    write_program(root / "path-probe", '#!/busybox sh\necho "$0"\n')  # in / only

    finished = mini_init.start(["path-probe"], env={"PATH": None}, root=root).wait()

    assert finished.exit_code == 127
    assert finished.stderr_lines == [
        *target.start_warnings,
        cannot_run("path-probe", "No such file or directory"),
    ]


def test_not_executable_match_in_path_does_not_stop_the_search(mini_init: InitLauncher) -> None:
    first = write_program(
        mini_init.workdir / "first" / "app", SCRIPT_REPORTING_ITS_NAME, 0o644
    ).parent
    second = write_program(mini_init.workdir / "second" / "app", SCRIPT_REPORTING_ITS_NAME).parent

    finished = mini_init.run(["app"], env={"PATH": f"{first}:{second}"})

    assert (finished.exit_code, finished.stdout) == (0, f"ran {second}/app \n")


def test_only_not_executable_matches_in_path_give_126(
    target: Target, mini_init: InitLauncher
) -> None:
    programs = write_program(
        mini_init.workdir / "bin" / "app", SCRIPT_REPORTING_ITS_NAME, 0o644
    ).parent

    finished = mini_init.run(["app"], env={"PATH": f"{programs}:/nonexistent"})

    assert finished.exit_code == 126
    assert finished.stderr_lines == [*target.start_warnings, cannot_run("app", "Permission denied")]


@pytest.mark.parametrize("name", ["mini-init-no-such-command", "/nonexistent/app", ""])
def test_missing_command_gives_127_and_names_it(
    target: Target, mini_init: InitLauncher, name: str
) -> None:
    finished = mini_init.run([name])

    assert finished.exit_code == 127
    assert finished.stderr_lines == [
        *target.start_warnings,
        cannot_run(name, "No such file or directory"),
    ]


@pytest.mark.parametrize(
    ("content", "mode", "error"),
    [
        pytest.param("#!/bin/sh\nexit 0\n", 0o644, "Permission denied", id="no-execute-permission"),
        pytest.param(
            "plain text, no interpreter line\n", 0o755, "Exec format error", id="not-a-program"
        ),
        pytest.param(None, 0o755, "Permission denied", id="directory"),
    ],
)
def test_found_but_not_executable_gives_126(
    target: Target, mini_init: InitLauncher, content: str | None, mode: int, error: str
) -> None:
    path = mini_init.workdir / "candidate"
    if content is None:
        path.mkdir()
    else:
        write_program(path, content, mode)

    finished = mini_init.run([str(path)])

    assert finished.exit_code == 126
    assert finished.stderr_lines == [*target.start_warnings, cannot_run(str(path), error)]


def test_path_through_a_file_gives_126_not_a_directory(
    target: Target, mini_init: InitLauncher
) -> None:
    finished = mini_init.run(["/etc/passwd/app"])

    assert finished.exit_code == 126
    assert finished.stderr_lines == [
        *target.start_warnings,
        cannot_run("/etc/passwd/app", "Not a directory"),
    ]


def test_arguments_pass_through_unchanged(mini_init: InitLauncher) -> None:
    finished = mini_init.run(["printf", "[%s]", "a", "b c", "", "-v", "--", "*"])

    assert (finished.exit_code, finished.stdout) == (0, "[a][b c][][-v][--][*]")


def test_environment_passes_through_unchanged_including_ep_variables(
    mini_init: InitLauncher,
) -> None:
    extra = {
        "EP_GRACE_SECONDS": "5",
        "EP_UNKNOWN": "kept",
        "EMPTY": "",
        "SPACES": " a b ",
        "NEWLINE": "one\ntwo",
        "EQUALS": "x=y",
    }

    process = mini_init.start(["env", "-0"], env=extra)
    finished = process.wait()

    entries = finished.stdout.split("\0")[:-1]
    assert finished.exit_code == 0
    assert dict(entry.split("=", 1) for entry in entries) == process.environment
    assert len(entries) == len(process.environment)


def test_stdin_and_stdout_pass_through(mini_init: InitLauncher) -> None:
    finished = mini_init.run(["cat"], stdin_bytes=b"line one\nline two\n")

    assert (finished.exit_code, finished.stdout) == (0, "line one\nline two\n")


def test_child_stderr_passes_through(target: Target, mini_init: InitLauncher) -> None:
    finished = mini_init.run(["sh", "-c", "echo to-stderr >&2"])

    assert finished.stderr_lines == [*target.start_warnings, "to-stderr"]


def sleeping_child(run: InitRun) -> int:
    """The host PID of the init's `sleep` child once it sleeps (start-up files closed)."""
    child = run.main_child()
    wait_until(lambda: procfs.is_in_nanosleep(child), "the child to settle in its sleep")
    return child


def test_child_leads_its_own_session_and_process_group(mini_init: InitLauncher) -> None:
    process = mini_init.start(["sleep", "30"])
    child = sleeping_child(process)

    group, session = procfs.group_and_session(child)
    assert group == child
    assert session == child
    assert procfs.group_and_session(process.init_pid)[1] != session


def test_child_starts_with_empty_mask_and_inherited_dispositions(mini_init: InitLauncher) -> None:
    """What the init blocks for itself (every signal) never reaches the child."""
    ignored_at_launch = procfs.ignored_signals(os.getpid()) - {signal.SIGPIPE, signal.SIGXFSZ}

    child = sleeping_child(mini_init.start(["sleep", "30"]))

    assert procfs.blocked_signals(child) == set()
    assert procfs.ignored_signals(child) == ignored_at_launch


def test_init_descriptors_are_closed_in_the_child(mini_init: InitLauncher) -> None:
    child = sleeping_child(mini_init.start(["sleep", "30"]))

    assert procfs.open_descriptors(child) == [0, 1, 2]
