# SPDX-License-Identifier: MIT
"""The setup on a stock Debian 12: buildx/install-tools.sh in a clean bookworm root filesystem."""

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from mini_init_tools.abi_table import ARCHITECTURES
from mini_init_tools.bench.contenders import PEER_PACKAGES
from mini_init_tools.paths import REPO_ROOT
from mini_init_tools.platforms import NATIVE_ARCH
from mini_init_tools.toolchain import TOOLCHAINS

SUITE = "bookworm"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
CHECKOUT = Path("root/mini-init")  # where the copy of this checkout lives, inside the root
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# Makes the root a mount point (as on a real machine: `unshare --mount-proc`, which the suite runs
# the init as PID 1 with, cannot change the propagation of a / that is not one), mounts the kernel
# file systems the suite reads (/proc of a new PID namespace, /sys for the pids cgroup, /dev),
# then enters the root. Everything mounted here belongs to the private mount namespace `unshare`
# made, and is gone when its last process ends.
ENTER_ROOT = """
root=$1; shift
mount --bind "$root" "$root"
mount --rbind /dev "$root/dev"
mount --rbind /sys "$root/sys"
mount -t proc proc "$root/proc"
exec chroot "$root" "$@"
"""
# The name servers; a local CA (kept when the ca-certificates package rebuilds the bundle) and
# the bundle holding it; pip told to use that bundle rather than its own.
NETWORK_SETTINGS = tuple(
    map(
        Path,
        (
            "/etc/resolv.conf",
            "/usr/local/share/ca-certificates",
            "/etc/ssl/certs/ca-certificates.crt",
            "/etc/pip.conf",
        ),
    )
)
SETUP_TIMEOUT_SECONDS = 300
INSIDE_TIMEOUT_SECONDS = 900
SECOND_RUN_SECONDS = 10
EMULATED = " and ".join(f"not {arch}" for arch in ARCHITECTURES if arch != NATIVE_ARCH)
AMD64_BINARY_SUITE = f"tests/init -k '{EMULATED}' -m 'not slow and not every_architecture'"
DEBIAN_PYTHON = "/usr/bin/python3.11"  # bookworm's
OUTPUT_SHOWN = 6000  # characters from the end of a failed command's output


def _host_mirror() -> str:
    """The mirror this machine takes bookworm from, so the test needs no other host."""
    result = subprocess.run(
        ["apt-get", "indextargets", "--format", "$(REPO_URI) $(CODENAME)", "Created-By: Packages"],
        capture_output=True,
        text=True,
        check=False,
    )
    mirrors = [line.split()[0] for line in result.stdout.splitlines() if line.endswith(f" {SUITE}")]
    return mirrors[0] if mirrors else DEFAULT_MIRROR


def _text(output: str | bytes | None) -> str:
    return output.decode(errors="replace") if isinstance(output, bytes) else output or ""


def _run(command: list[str], timeout: float) -> str:
    """The command's output; a failure or a timeout fails the test with the end of that output."""
    shown = f"`{' '.join(command[:3])} ...`"
    try:
        result = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as timed_out:
        pytest.fail(
            f"{shown} took over {timeout:.0f} s:\n{_text(timed_out.output)[-OUTPUT_SHOWN:]}",
            pytrace=False,
        )
    if result.returncode != 0:
        pytest.fail(
            f"{shown} exited {result.returncode}:\n{result.stdout[-OUTPUT_SHOWN:]}", pytrace=False
        )
    return result.stdout


def _copy_network_settings(root: Path) -> None:
    """What this machine, not Debian, provides: its name servers, and the trust a TLS-intercepting
    proxy needs (its CA in the system bundle, pip told to use that bundle) where there is one."""
    for setting in filter(Path.exists, NETWORK_SETTINGS):
        inside = root / setting.relative_to("/")
        inside.parent.mkdir(parents=True, exist_ok=True)
        if setting.is_dir():
            shutil.copytree(setting, inside, dirs_exist_ok=True)
        else:
            shutil.copyfile(setting, inside)


def _copy_checkout(destination: Path) -> None:
    """What a clone of this checkout holds, with its uncommitted changes; no build/, no .venv."""
    listed = _run(
        ["git", "-C", str(REPO_ROOT), "ls-files", "-z", "--cached", "--others"]
        + ["--exclude-standard"],
        timeout=60,
    )
    for name in filter(None, listed.split("\0")):
        source = REPO_ROOT / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)


def _inside(root: Path, script: str) -> str:
    """Run `script` with sh in the root, as root, in the checkout, in a fresh login's environment."""
    return _run(
        [
            "unshare", "--mount", "--pid", "--fork", "--kill-child", "--",
            "sh", "-c", ENTER_ROOT, "enter-root", str(root),
            "env", "-i", f"PATH={SYSTEM_PATH}", "HOME=/root", "LANG=C.UTF-8",
            "sh", "-euc", f"cd /{CHECKOUT}\n{script}",
        ],
        timeout=INSIDE_TIMEOUT_SECONDS,
    )


def _install_tools_packages() -> set[str]:
    script = (REPO_ROOT / "buildx" / "install-tools.sh").read_text()
    listing = script.split("readonly PACKAGES=(", 1)[1].split("\n)", 1)[0]
    return {word for line in listing.splitlines() for word in line.split("#", 1)[0].split()}


def test_install_tools_installs_the_package_of_every_assembler_and_linker() -> None:
    packages = _install_tools_packages()
    for toolchain in TOOLCHAINS.values():
        assert {toolchain.assembler_package, toolchain.linker_package} <= packages, toolchain.arch


def test_install_tools_installs_every_peer_the_bench_measures() -> None:
    assert set(PEER_PACKAGES.split()) <= _install_tools_packages()


@pytest.fixture
def fresh_debian(tmp_path: Path) -> Iterator[Path]:
    """A Debian 12 root filesystem from Debian's packages alone (minbase: no Python, no git) with
    this machine's network settings, holding a copy of this checkout; deleted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("needs root: mmdebstrap --mode=root, chroot and mounts")
    if shutil.which("mmdebstrap") is None:
        pytest.fail("mmdebstrap not found: apt-get install mmdebstrap", pytrace=False)
    root = tmp_path / "rootfs"
    _run(
        ["mmdebstrap", "--variant=minbase", "--mode=root", "--quiet"]
        + [SUITE, str(root), _host_mirror()],
        timeout=SETUP_TIMEOUT_SECONDS,
    )
    _copy_network_settings(root)
    _copy_checkout(root / CHECKOUT)
    yield root
    shutil.rmtree(root)


@pytest.mark.slow
def test_install_tools_then_the_venv_builds_and_passes_the_binary_suite(fresh_debian: Path) -> None:
    """On stock bookworm, buildx/install-tools.sh (what bootstrap.sh runs before the Docker engine)
    installs the toolchain, git and Debian's Python with venv, and the tool in .venv; a second run
    only checks. Then `.venv/bin/mini-init-tools build` builds every architecture and the
    binary-level suite passes, for amd64 only, without its slow cases and without the inputs run on
    every architecture: this root has no QEMU (`stack up` registers it, after this half), and that
    keeps the test to a few minutes (the main run has all of them). Nothing is activated:
    the commands name .venv/bin."""
    _inside(fresh_debian, "bash buildx/install-tools.sh")
    started = time.monotonic()
    _inside(fresh_debian, "bash buildx/install-tools.sh")
    assert time.monotonic() - started < SECOND_RUN_SECONDS
    assert _inside(fresh_debian, "readlink -f .venv/bin/python").strip() == DEBIAN_PYTHON
    built = _inside(fresh_debian, ".venv/bin/mini-init-tools build")
    assert [line.split()[0] for line in built.splitlines()] == list(ARCHITECTURES)
    suite = _inside(fresh_debian, f".venv/bin/pytest -p no:cacheprovider -q {AMD64_BINARY_SUITE}")
    assert " passed" in suite.splitlines()[-1] and "failed" not in suite.splitlines()[-1]
