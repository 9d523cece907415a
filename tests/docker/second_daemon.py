"""A second Docker daemon beside the stack's, whose `--init-path` is the built mini-init, so that
`docker run --init` on it runs mini-init as /sbin/docker-init.

It owns everything it touches, so the main daemon keeps working: its own pre-made bridge (never
`--bridge=none`, which deletes the main daemon's docker0), socket, data-root, exec-root and pidfile
under one directory, no iptables rules, and the containerd it starts for itself (state under its
exec-root). With the containerd image store, `docker load` keeps both platforms of an image.
Teardown is idempotent and leaves no process, mount or link behind."""

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import docker
from host_proc import ZOMBIE_STATE, process_state
from mini_init_tools.docker_cli import DOCKER
from mini_init_tools.paths import binary_path
from mini_init_tools.platforms import NATIVE_ARCH
from mini_init_tools.standins import STANDIN_FOR_VARIABLE
from mini_init_tools.version import VERSION

DOCKERD = "/usr/sbin/dockerd"  # Debian's docker.io, the daemon `stack up` installs
# A name of ours (at most 15 characters) and an address from 198.18.0.0/15, the benchmarking range,
# which Docker never picks for its own networks.
BRIDGE = "mini-init-br0"
BRIDGE_ADDRESS = "198.18.251.1/24"
START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 30.0
LOAD_TIMEOUT_SECONDS = 300.0

# What the tests that run apps on the second daemon share: the init its init-path names (this
# machine's: dockerd runs it for its version), where `docker run --init` puts it, its version as
# tini's line and as `docker info` shows it (the git part, which cannot hold a dot), the image with
# no init of its own they run apps on, and those apps.
INIT_PATH_BINARY = binary_path(NATIVE_ARCH)
DOCKER_INIT = "/sbin/docker-init"
INIT_COMMIT = f"mini-init-{VERSION.replace('.', '-')}"
DOCKER_INIT_VERSION = f"tini version {VERSION} - git.{INIT_COMMIT}"
PLAIN_IMAGE = STANDIN_FOR_VARIABLE["ALPINE_IMAGE"]
SCENARIO_APPS = Path(__file__).parent / "fixtures" / "scenario-image" / "apps"
SCENARIO_APPS_VOLUME = {str(SCENARIO_APPS): {"bind": "/apps", "mode": "ro"}}
COMMAND_TIMEOUT_SECONDS = 30.0


def _run(*command: str, timeout: float = COMMAND_TIMEOUT_SECONDS, check: bool = True) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"`{' '.join(command)}` exited {result.returncode}: {result.stderr}")
    return result.stdout


def _bridge_exists() -> bool:
    return Path("/sys/class/net", BRIDGE).exists()


def _alive(pid: int) -> bool:
    """The process exists and is not a zombie waiting for its parent."""
    try:
        return process_state(pid).state != ZOMBIE_STATE
    except (FileNotFoundError, ProcessLookupError):
        return False


def _wait_until_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


class SecondDaemon:
    """dockerd with `--init-path INIT`, rooted in `directory`."""

    def __init__(self, directory: Path, init_path: Path) -> None:
        self.directory = directory
        self.init_path = init_path
        self.socket = directory / "docker.sock"
        self.data_root = directory / "data"
        self.exec_root = directory / "exec"
        self.pidfile = directory / "dockerd.pid"
        self.log = directory / "dockerd.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._containerd_pid: int | None = None

    @property
    def host(self) -> str:
        return f"unix://{self.socket}"

    def client(self) -> docker.DockerClient:
        return docker.DockerClient(base_url=self.host, timeout=120)

    def start(self) -> None:
        """Create the bridge, start dockerd and wait until it answers."""
        self.directory.mkdir(parents=True, exist_ok=True)
        if _bridge_exists():  # left by an interrupted run: ours by name
            _run("ip", "link", "delete", BRIDGE)
        _run("ip", "link", "add", BRIDGE, "type", "bridge")
        _run("ip", "address", "add", BRIDGE_ADDRESS, "dev", BRIDGE)
        _run("ip", "link", "set", BRIDGE, "up")
        config = self.directory / "daemon.json"
        config.write_text(json.dumps({"features": {"containerd-snapshotter": True}}))
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                [
                    DOCKERD,
                    "--config-file", str(config),
                    "--host", self.host,
                    "--data-root", str(self.data_root),
                    "--exec-root", str(self.exec_root),
                    "--pidfile", str(self.pidfile),
                    "--bridge", BRIDGE,
                    "--iptables=false",
                    "--ip6tables=false",
                    "--init-path", str(self.init_path),
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        self._wait_until_answering()
        self._containerd_pid = self._child_named("containerd")

    def _child_named(self, name: str) -> int | None:
        """The pid of dockerd's child called `name` (the containerd it started), if any."""
        assert self._process is not None
        for task in Path("/proc", str(self._process.pid), "task").iterdir():
            for child in (task / "children").read_text().split():
                if Path("/proc", child, "comm").read_text().strip() == name:
                    return int(child)
        return None

    def _wait_until_answering(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            if self._process.poll() is not None:
                raise AssertionError(f"the second dockerd exited:\n{self._log_tail()}")
            try:
                self.client().ping()
                return
            except docker.errors.DockerException:
                if time.monotonic() > deadline:
                    raise AssertionError(
                        f"the second dockerd did not answer in {START_TIMEOUT_SECONDS:.0f} s:\n"
                        f"{self._log_tail()}"
                    ) from None
                time.sleep(0.2)

    def _log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

    def load_from_main_daemon(self, image: str) -> None:
        """`docker save IMAGE | docker --host SECOND load`, every platform the main daemon holds."""
        save = subprocess.Popen([DOCKER, "save", image], stdout=subprocess.PIPE)
        load = subprocess.Popen(
            [DOCKER, "--host", self.host, "load"],
            stdin=save.stdout,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert save.stdout is not None
        save.stdout.close()  # load holds the pipe now: save gets EPIPE if load ends early
        try:
            _, errors = load.communicate(timeout=LOAD_TIMEOUT_SECONDS)
            save.wait(timeout=COMMAND_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            for process in (save, load):
                process.kill()
                process.wait()
            raise AssertionError(
                f"docker save | load took over {LOAD_TIMEOUT_SECONDS:.0f} s"
            ) from None
        assert save.returncode == 0 and load.returncode == 0, f"save | load failed: {errors}"

    def stop(self) -> None:
        """Remove its containers, stop dockerd (and so its containerd), unmount what is left under
        the directory and delete the bridge. Safe to call twice."""
        if self._process is not None and self._process.poll() is None:
            self._remove_containers()
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=STOP_TIMEOUT_SECONDS)
        if self._containerd_pid is not None and not _wait_until_gone(
            self._containerd_pid, STOP_TIMEOUT_SECONDS
        ):
            os.kill(self._containerd_pid, signal.SIGKILL)
            _wait_until_gone(self._containerd_pid, STOP_TIMEOUT_SECONDS)
        for mountpoint in reversed(self.mounts()):
            _run("umount", "--lazy", mountpoint, check=False)
        if _bridge_exists():
            _run("ip", "link", "delete", BRIDGE)

    def _remove_containers(self) -> None:
        client = self.client()
        try:
            for container in client.containers.list(all=True):
                container.remove(force=True)
        except docker.errors.DockerException:
            pass  # the daemon is stopping anyway; it kills what still runs
        finally:
            client.close()

    def mounts(self) -> list[str]:
        """Mount points under the daemon's directory (overlays, network namespaces), in mount order."""
        prefix = f"{self.directory}/"
        found = []
        for line in Path("/proc/self/mountinfo").read_text().splitlines():
            mountpoint = line.split()[4]
            if mountpoint.startswith(prefix):
                found.append(mountpoint)
        return found

    def processes_alive(self) -> list[int]:
        """Which of dockerd and its containerd still run."""
        pids = [self._containerd_pid] + ([self._process.pid] if self._process else [])
        return [pid for pid in pids if pid is not None and _alive(pid)]


@contextmanager
def running_second_daemon(state: Path, init_path: Path, image: str) -> Iterator[SecondDaemon]:
    """A second daemon whose init is `init_path`, with `image` loaded from the main daemon; stopped
    on the way out, whatever happened."""
    daemon = SecondDaemon(state, init_path)
    try:
        daemon.start()
        daemon.load_from_main_daemon(image)
        yield daemon
    finally:
        daemon.stop()
