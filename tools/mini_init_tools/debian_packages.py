# SPDX-License-Identifier: MIT
"""Debian packages for the stand-in bases, for any architecture, through a private apt state under
build/standins/apt (the host's apt stays untouched; the host's sources and pins are used).

Each package set's dependency closure is worked out by apt once per architecture and kept with the
downloaded .debs in build/standins/debs, so a later run needs no network at all."""

import hashlib
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

from mini_init_tools.abi_table import ARCHITECTURES
from mini_init_tools.errors import ToolError
from mini_init_tools.paths import STANDIN_BUILD_DIR

DEB_CACHE = STANDIN_BUILD_DIR / "debs"
CLOSURES = STANDIN_BUILD_DIR / "closures"
APT_STATE = STANDIN_BUILD_DIR / "apt"
UNPACKED = STANDIN_BUILD_DIR / "unpacked"
# The build platforms a stand-in builder base exists for (bookworm has no riscv64 port).
BUILD_ARCHITECTURES = ("amd64", "arm64")
# apt-get's simulated install: "Inst NAME [OLD] (VERSION RELEASE [ARCH])".
SIMULATED_INSTALL = re.compile(r"^Inst (\S+) (?:\[\S*\] )?\((\S+) .*\[(\S+)\]\)", re.MULTILINE)


def _apt_options(native_arch: str = "") -> list[str]:
    """A private apt state that knows every architecture the stand-ins are made for."""
    architectures = dict.fromkeys((*BUILD_ARCHITECTURES, *ARCHITECTURES))
    options = [option for arch in architectures for option in ("-o", f"APT::Architectures::={arch}")]
    if native_arch:
        options += ["-o", f"APT::Architecture={native_arch}"]
    return [
        *options,
        "-o", f"Dir::State::Lists={APT_STATE / 'lists'}",
        "-o", f"Dir::State::status={APT_STATE / 'status'}",
        "-o", f"Dir::Cache={APT_STATE / 'cache'}",
        "-o", "Acquire::Languages=none", "-o", "APT::Sandbox::User=root", "-qq",
    ]


def _run(command: list[str], cwd: Path | None = None) -> str:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        details = (result.stderr or result.stdout).strip().splitlines() or [f"exit {result.returncode}"]
        raise ToolError(f"`{' '.join(command[:2])}` failed: {details[-1]}")
    return result.stdout


class PackageSource:
    """The private apt state; its package lists are fetched at most once per run, when needed."""

    def __init__(self) -> None:
        self._updated = False

    def _update(self) -> None:
        if self._updated:
            return
        for directory in (DEB_CACHE, CLOSURES, APT_STATE / "lists/partial",
                          APT_STATE / "cache/archives/partial"):
            directory.mkdir(parents=True, exist_ok=True)
        (APT_STATE / "status").touch()
        _run(["apt-get", "update", *_apt_options()])
        self._updated = True

    def closure(self, packages: Iterable[str], arch: str) -> list[str]:
        """`packages` and everything they depend on, as NAME:ARCH, for a root filesystem of `arch`."""
        wanted = sorted(packages)
        key = hashlib.sha256(" ".join(wanted).encode()).hexdigest()[:16]
        remembered = CLOSURES / f"{arch}-{key}.txt"
        if remembered.is_file():
            return remembered.read_text().split()
        self._update()
        simulated = _run([
            "apt-get", "install", "--simulate", "--no-install-recommends", *_apt_options(arch),
            *wanted,
        ])
        names = [f"{name.split(':')[0]}:{package_arch}"
                 for name, _, package_arch in SIMULATED_INSTALL.findall(simulated)]
        if not names:
            raise ToolError(f"apt found no packages for {', '.join(wanted)} on {arch}")
        remembered.write_text("\n".join(names) + "\n")
        return names

    def debs(self, packages: Iterable[str]) -> dict[str, Path]:
        """The .deb of each NAME:ARCH (ARCH may be `all`), downloaded once into DEB_CACHE."""
        wanted = list(dict.fromkeys(packages))
        missing = [package for package in wanted if _cached_deb(package) is None]
        if missing:
            self._update()
            requested = [name.removesuffix(":all") for name in missing]
            _run(["apt-get", "download", *_apt_options(), *requested], cwd=DEB_CACHE)
        found = {package: _cached_deb(package) for package in wanted}
        absent = [package for package, deb in found.items() if deb is None]
        if absent:
            raise ToolError(f"apt-get download gave no .deb for {', '.join(absent)}: check the apt sources")
        return {package: deb for package, deb in found.items() if deb is not None}


def _cached_deb(package: str) -> Path | None:
    name, _, arch = package.partition(":")
    return next(iter(sorted(DEB_CACHE.glob(f"{name}_*_{arch}.deb"))), None)


def unpack(deb: Path) -> Path:
    """The package's files, extracted once with dpkg -x under build/standins/unpacked/."""
    target = UNPACKED / deb.stem
    if not target.is_dir():
        partial = target.with_suffix(".partial")
        partial.mkdir(parents=True, exist_ok=True)
        _run(["dpkg", "-x", str(deb), str(partial)])
        partial.rename(target)
    return target


def installed_status(deb: Path) -> str:
    """The package's paragraph for /var/lib/dpkg/status, marked installed (what dpkg-query and SBOM
    scanners read)."""
    control = _run(["dpkg-deb", "--field", str(deb)]).rstrip("\n")
    return f"{control}\nStatus: install ok installed\n"
