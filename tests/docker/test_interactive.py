"""Interactive containers (issue 8): the real Docker client on a real pty runs the alpine image's
shell with job control (Ctrl-C, Ctrl-Z, fg, exit status, idle Ctrl-C past the grace period), `-t`
without `-i`, `-i` without `-t`, detach and attach, window resizes, and `docker stop` of an
interactive shell, on linux/amd64 and linux/arm64."""

import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docker
import pytest
from container_processes import ContainerProcess, find_process, read_process, wait_until_process
from core_scenarios import SIGKILL_STATUS
from data_volume import data_directory
from docker.models.containers import Container
from docker_terminal import (
    ANSWER_TIMEOUT_SECONDS,
    COLUMNS,
    CTRL_C,
    CTRL_Z,
    DETACH_KEYS,
    PROMPT,
    ROWS,
    DockerTerminal,
    remove_container,
)
from host_proc import pid_namespace
from lifecycle_scenarios import (
    CONTAINER_APPS_DIR,
    LIFECYCLE_APPS,
    assert_ended_at_deadline,
)
from local_registry import REGISTRY
from mini_init_tools.docker_cli import DOCKER
from mini_init_tools.platforms import PLATFORMS
from scenario_containers import SCENARIO_LABEL, SESSION_LABEL
from scenario_figures import FigureRecorder

pytestmark = pytest.mark.docker

ALPINE_IMAGE = f"{REGISTRY}/mini-init:alpine"
NO_JOB_CONTROL = "job control"  # busybox: "can't access tty; job control turned off"
GRACE_SECONDS = 1
PAST_GRACE_SECONDS = GRACE_SECONDS + 1.5
# A foreground job interrupted or stopped by a key gives the prompt back within this.
KEY_EFFECT_SECONDS = 10.0
SIGINT_STATUS = 128 + 2
RESIZED = (30, 100)


@dataclass
class InteractiveContainer:
    """A container started by `docker run` on a pty, known by its name."""

    terminal: DockerTerminal
    name: str
    client: docker.DockerClient

    def container(self) -> Container:
        return self.client.containers.get(self.name)

    def running(self) -> bool:
        try:
            return bool(self.container().attrs["State"]["Running"])
        except docker.errors.NotFound:
            return False

    def pid_namespace(self) -> str:
        return pid_namespace(int(self.container().attrs["State"]["Pid"]))

    def foreground_job(self, *argv: str) -> ContainerProcess:
        """The process running `argv` once it is the terminal's foreground group."""
        found = find_process(self.pid_namespace(), argv)
        process = wait_until_process(
            found.pid,
            lambda process: process is not None and process.in_foreground,
            f"{' '.join(argv)} in the terminal's foreground",
        )
        assert process is not None
        return process


class InteractiveContainers:
    """Starts `docker run ... IMAGE` on a pty; the clients are ended and the containers removed when
    the test ends."""

    def __init__(self, client: docker.DockerClient) -> None:
        self.client = client
        self._started: list[InteractiveContainer] = []
        self._clients: list[DockerTerminal] = []

    def docker_run(
        self, platform: str, *options: str, command: tuple[str, ...] = (), mode: str = "-it"
    ) -> InteractiveContainer:
        name = f"mini-init-tty-{uuid.uuid4().hex[:12]}"
        terminal = self.client_on_pty(
            "run", "--rm", mode, "--name", name, "--platform", platform,
            "--label", f"{SCENARIO_LABEL}=interactive", "--label", f"{SESSION_LABEL}={os.getpid()}",
            "--env", f"PS1={PROMPT}", *options, ALPINE_IMAGE, *command,
        )
        started = InteractiveContainer(terminal, name, self.client)
        self._started.append(started)
        return started

    def client_on_pty(self, *arguments: str) -> DockerTerminal:
        terminal = DockerTerminal(list(arguments))
        self._clients.append(terminal)
        return terminal

    def end_all(self) -> None:
        for terminal in self._clients:
            terminal.close()
        for started in self._started:
            remove_container(started.name)


@pytest.fixture
def interactive(
    docker_client: docker.DockerClient, scenario_images: None
) -> Iterator[InteractiveContainers]:
    containers = InteractiveContainers(docker_client)
    yield containers
    containers.end_all()


def _shell_at_prompt(started: InteractiveContainer) -> str:
    """The greeting up to the first prompt; the shell must have the terminal (no complaint)."""
    greeting = started.terminal.wait_for_prompt()
    assert NO_JOB_CONTROL not in greeting, f"the shell has no job control:\n{greeting}"
    return greeting


@pytest.mark.parametrize("platform", PLATFORMS)
def test_shell_has_job_control_and_ctrl_c_interrupts_the_foreground_job(
    interactive: InteractiveContainers, platform: str
) -> None:
    started = interactive.docker_run(platform)
    terminal = started.terminal
    _shell_at_prompt(started)
    flags = terminal.run('case $- in *m*) echo "monitor=$((0+1))";; esac')
    assert "monitor=1" in flags, f"$- has no m (job control): {terminal.screen()}"

    terminal.line("sleep 4321")
    sleep = started.foreground_job("sleep", "4321")
    terminal.type(CTRL_C)
    terminal.wait_for_prompt(KEY_EFFECT_SECONDS)
    assert f"status={SIGINT_STATUS}" in terminal.run('echo "status=$?"')
    assert read_process(sleep.pid) is None, "Ctrl-C did not end the sleep"
    assert started.running(), "Ctrl-C reached more than the foreground job"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_ctrl_c_at_an_idle_prompt_leaves_the_session_up_past_the_grace_period(
    interactive: InteractiveContainers, platform: str
) -> None:
    """Ctrl-C at a prompt read in cooked mode (dash's way; busybox's line editor reads keys raw,
    where Ctrl-C is only a byte, until `stty -echo` makes it read the line like dash) is a SIGINT to
    the terminal's foreground group: the shell's, which shrugs it off. Were it the init's, it would
    be a stop request, and EP_GRACE_SECONDS=1 later the session would be killed."""
    started = interactive.docker_run(platform, "--env", f"EP_GRACE_SECONDS={GRACE_SECONDS}")
    terminal = started.terminal
    terminal.wait_for_prompt()
    terminal.line("stty -echo")
    terminal.wait_for_prompt()
    terminal.type(CTRL_C)
    terminal.wait_for_prompt(KEY_EFFECT_SECONDS)
    time.sleep(PAST_GRACE_SECONDS)
    assert started.running(), f"the container ended after Ctrl-C: {terminal.screen()}"
    assert terminal.answers()


@pytest.mark.parametrize("platform", PLATFORMS)
def test_ctrl_z_stops_a_job_fg_resumes_it_and_exit_3_is_the_status(
    interactive: InteractiveContainers, platform: str
) -> None:
    started = interactive.docker_run(platform)
    terminal = started.terminal
    _shell_at_prompt(started)
    terminal.line("sleep 4322")
    sleep = started.foreground_job("sleep", "4322")
    terminal.type(CTRL_Z)
    terminal.expect("Stopped", KEY_EFFECT_SECONDS)
    terminal.wait_for_prompt()
    wait_until_process(
        sleep.pid, lambda process: process is not None and process.stopped, "the sleep stopped"
    )

    terminal.line("fg")
    wait_until_process(
        sleep.pid,
        lambda process: process is not None and not process.stopped and process.in_foreground,
        "the sleep running in the foreground again",
    )
    terminal.type(CTRL_C)
    terminal.wait_for_prompt(KEY_EFFECT_SECONDS)
    terminal.line("exit 3")
    assert terminal.wait_for_exit() == 3, terminal.screen()


@pytest.mark.parametrize("platform", PLATFORMS)
def test_run_with_a_terminal_and_no_stdin_gives_the_app_the_terminal(
    interactive: InteractiveContainers, platform: str
) -> None:
    """`docker run -t` without `-i`: the app owns the terminal's foreground in the init's session."""
    report = "tty; cut -d ' ' -f 5,6,8 /proc/$$/stat; exit 5"
    started = interactive.docker_run(platform, mode="-t", command=("sh", "-c", report))
    terminal = started.terminal
    match = terminal.expect(r"/dev/pts/\d+\s+(\d+) (\d+) (-?\d+)\s")
    process_group, session, foreground_group = (int(field) for field in match.groups())
    assert terminal.wait_for_exit() == 5, terminal.screen()
    assert session == 1, "the app left the init's session, which owns the terminal"
    assert process_group != 1, "the app has no process group of its own"
    assert foreground_group == process_group, "the app's group is not the terminal's foreground"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_run_with_stdin_and_no_terminal_reads_the_pipe_in_a_session_of_its_own(
    scenario_images: None, platform: str
) -> None:
    """`echo 'exit 4' | docker run -i IMAGE sh` gives 4, and the shell reads its commands from the
    pipe in a session of its own without a terminal, as before issue 8."""
    commands = "cut -d ' ' -f 1,5,6,7 /proc/$$/stat\nexit 4\n"
    result = subprocess.run(
        [
            DOCKER, "run", "--rm", "-i", "--platform", platform,
            "--label", f"{SCENARIO_LABEL}=interactive", "--label", f"{SESSION_LABEL}={os.getpid()}",
            ALPINE_IMAGE, "sh",
        ],
        input=commands,
        capture_output=True,
        text=True,
        timeout=ANSWER_TIMEOUT_SECONDS * 2,
        check=False,
    )
    assert result.returncode == 4, result.stderr
    pid, process_group, session, terminal = (int(field) for field in result.stdout.split())
    assert pid == process_group == session, result.stdout
    assert terminal == 0, "the shell has a controlling terminal"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_detach_and_attach_again_to_the_same_shell(
    interactive: InteractiveContainers, platform: str
) -> None:
    started = interactive.docker_run(platform)
    started.terminal.wait_for_prompt()
    started.terminal.run("answer=42")
    started.terminal.type(DETACH_KEYS)
    assert started.terminal.wait_for_exit() == 0, started.terminal.screen()
    assert started.running(), "detaching ended the container"

    attached = interactive.client_on_pty("attach", started.name)
    assert "kept=42" in attached.run('echo "kept=$answer"'), "not the same shell"
    attached.line("exit 6")
    assert attached.wait_for_exit() == 6, attached.screen()


@pytest.mark.parametrize("platform", PLATFORMS)
def test_window_resize_reaches_the_app_in_the_foreground(
    interactive: InteractiveContainers, platform: str
) -> None:
    """The client's pty is resized: `stty size` in the container changes, and the foreground job
    (a group of its own, the terminal's foreground) gets its SIGWINCH from the kernel. The client
    also sends its own SIGWINCH to PID 1 (sig-proxy, on by default), which the init forwards to the
    shell's group: nothing the job relies on."""
    started = interactive.docker_run(platform)
    terminal = started.terminal
    _shell_at_prompt(started)
    assert terminal.run("stty size").split() == [str(ROWS), str(COLUMNS)]

    terminal.line("""sh -c 'trap "echo resized to \\$(stty size); exit 0" WINCH; sleep 4323 & wait'""")
    started.foreground_job("sleep", "4323")  # started by the job's shell, in the job's group
    terminal.resize(*RESIZED)
    resized = terminal.expect(r"resized to (\d+) (\d+)\s", KEY_EFFECT_SECONDS)
    assert resized.groups() == tuple(str(size) for size in RESIZED)
    terminal.wait_for_prompt()
    assert terminal.run("stty size").split() == [str(size) for size in RESIZED]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_docker_stop_kills_an_interactive_shell_at_the_grace_period_and_drains_its_jobs(
    interactive: InteractiveContainers, platform: str, tmp_path: Path, figures: FigureRecorder
) -> None:
    """An interactive shell ignores SIGTERM: the init's grace timer kills it (137). A background
    job in a process group of its own gets no forwarded TERM; the drain after the escalation sends
    SIGKILL (docs/contract.md section 4), so its TERM handler never runs and nothing is left."""
    data = data_directory(tmp_path)
    started = interactive.docker_run(
        platform,
        "--env", f"EP_GRACE_SECONDS={GRACE_SECONDS}",
        "--volume", f"{data}:/data",
        "--volume", f"{LIFECYCLE_APPS}:{CONTAINER_APPS_DIR}:ro",
    )
    terminal = started.terminal
    _shell_at_prompt(started)
    terminal.line(f"sh {CONTAINER_APPS_DIR}/flush_after_term.sh job &")
    terminal.expect("job: ready")
    job = find_process(
        started.pid_namespace(), (f"{CONTAINER_APPS_DIR}/flush_after_term.sh", "job")
    )
    assert not job.in_foreground

    stopping = time.monotonic()
    started.container().stop(timeout=10)
    seconds = time.monotonic() - stopping
    exit_code = terminal.wait_for_exit()
    figures.record("docker stop, interactive shell", seconds, "s")
    assert exit_code == SIGKILL_STATUS, terminal.screen()
    assert_ended_at_deadline(seconds, GRACE_SECONDS, platform, "docker stop")
    assert not (data / "job.flushed").exists(), "the job got a TERM after the escalation"
