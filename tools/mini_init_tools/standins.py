# SPDX-License-Identifier: MIT
"""Stand-ins for the images no registry here can give: the alpine and distroless bases, the build
stage's Debian and BuildKit's SBOM scanner. Made from Debian packages for each architecture and
pushed to the local registry: test fixtures, never shipped.

Each replaces the image of one docker-bake.hcl variable; `publish_standins` returns those variables
set to the stand-ins, which is all it takes to build with them."""

import hashlib
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from mini_init_tools import standin_scanner
from mini_init_tools.abi_table import ARCHITECTURES
from mini_init_tools.bake import Baker
from mini_init_tools.debian_packages import (
    BUILD_ARCHITECTURES,
    PackageSource,
    installed_status,
    unpack,
)
from mini_init_tools.errors import ToolError
from mini_init_tools.paths import STANDIN_BAKE_FILE, STANDIN_BUILD_DIR
from mini_init_tools.platforms import PLATFORMS, distroless_platforms, linux_platforms
from mini_init_tools.rootfs_tar import RootfsTar, rootfs_tar
from mini_init_tools.toolchain import builder_packages

# The docker-bake.hcl variable each stand-in replaces, and the stand-in (tags of
# images/standins/docker-bake.hcl).
STANDIN_FOR_VARIABLE: Final = {
    "BUILDER_IMAGE": "localhost:5000/standin/debian:bookworm-slim",
    "ALPINE_IMAGE": "localhost:5000/standin/alpine:3.20",
    "DISTROLESS_IMAGE": "localhost:5000/standin/distroless-static:debian12",
    "DISTROLESS_NONROOT_IMAGE": "localhost:5000/standin/distroless-static:debian12-nonroot",
    "SBOM_GENERATOR": "localhost:5000/standin/buildkit-syft-scanner:stable-1",
}

HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
# The build stage's base: a shell and the usual commands, then Python and every toolchain.
BUILDER_PACKAGES: Final = ("dash", "coreutils", "dpkg", *builder_packages())
# The scanner runs the stand-in scanner with Python's full standard library (json); its entrypoint
# in images/standins/Dockerfile runs SCANNER_PATH.
SCANNER_PACKAGES: Final = ("dash", "python3-minimal", "libpython3.11-stdlib")
SCANNER_SOURCE: Final = Path(standin_scanner.__file__)
SCANNER_PATH: Final = "opt/standin-scanner/standin_scanner.py"
# What distroless static-debian12 installs from Debian (its static/config.bzl), all
# architecture-independent.
DISTROLESS_PACKAGES: Final = ("tzdata:all", "netbase:all", "media-types:all")
# Applets that would clash with the rootfs layout (busybox itself) or that Alpine does not ship.
SKIPPED_APPLETS: Final = ("bin/busybox", "linuxrc")

ROOT_PASSWD = "root:x:0:0:root:/root:/bin/sh\n"
ROOT_GROUP = "root:x:0:\n"
ALPINE_PASSWD = f"{ROOT_PASSWD}nobody:x:65534:65534:nobody:/:/sbin/nologin\n"
ALPINE_GROUP = f"{ROOT_GROUP}nobody:x:65534:\n"
DISTROLESS_PASSWD = (
    "root:x:0:0:root:/root:/sbin/nologin\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"
    "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"
)
DISTROLESS_GROUP = "root:x:0:\nnobody:x:65534:\ntty:x:5:\nstaff:x:50:\nnonroot:x:65532:\n"
NONROOT_ID = 65532


def _os_release(standin_id: str, real_base: str, made_of: str) -> str:
    return (
        f'PRETTY_NAME="Stand-in for {real_base} ({made_of}), a mini-init test fixture"\n'
        f'NAME="{real_base} stand-in"\nID={standin_id}\n'
    )


def _busybox_applets(busybox: Path) -> list[str]:
    """Where each applet belongs (bin/sh, usr/bin/awk, ...), as busybox itself lists them; other
    architectures' busybox runs through QEMU binfmt."""
    result = subprocess.run([busybox, "--list-full"], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ToolError(
            f"{busybox} --list-full failed: is QEMU binfmt registered? run `mini-init-tools doctor`"
        )
    return [applet for applet in result.stdout.split() if applet not in SKIPPED_APPLETS]


def busybox_binary(unpacked: Path) -> Path:
    """busybox in an unpacked busybox-static: bin/ in bookworm's, usr/bin/ in trixie's (merged /usr;
    riscv64 comes from trixie)."""
    candidates = [unpacked / "bin" / "busybox", unpacked / "usr" / "bin" / "busybox"]
    found = next((candidate for candidate in candidates if candidate.is_file()), None)
    if found is None:
        raise ToolError(f"{unpacked} holds no bin/busybox or usr/bin/busybox")
    return found


def _base_directories(rootfs: RootfsTar, *directories: str) -> None:
    for directory in directories:
        rootfs.directory(directory)
    rootfs.directory("root", 0o700)
    rootfs.directory("tmp", 0o1777)


def busybox_debs(source: PackageSource) -> dict[str, Path]:
    """Debian's busybox-static for each architecture, keyed by architecture."""
    debs = source.debs(f"busybox-static:{arch}" for arch in ARCHITECTURES)
    return {arch: debs[f"busybox-static:{arch}"] for arch in ARCHITECTURES}


def write_alpine_rootfs(arch: str, busybox_deb: Path) -> Path:
    """build/standins/alpine-ARCH.tar: busybox with its applets, /etc basics, /tmp, and busybox in
    the dpkg database (what it really is)."""
    busybox = busybox_binary(unpack(busybox_deb))
    applets = _busybox_applets(busybox)
    with rootfs_tar(STANDIN_BUILD_DIR / f"alpine-{arch}.tar") as rootfs:
        _base_directories(rootfs, "bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "home",
                          "var", "var/lib", "var/lib/dpkg")
        rootfs.tree(busybox, "bin/busybox")
        for applet in applets:
            rootfs.symlink(applet, "/bin/busybox")
        rootfs.text_file("etc/passwd", ALPINE_PASSWD)
        rootfs.text_file("etc/group", ALPINE_GROUP)
        rootfs.text_file(
            "etc/os-release", _os_release("alpine-standin", "alpine:3.20", "Debian busybox-static")
        )
        rootfs.text_file("var/lib/dpkg/status", installed_status(busybox_deb))
    return STANDIN_BUILD_DIR / f"alpine-{arch}.tar"


def write_distroless_rootfs(source: PackageSource) -> Path:
    """build/standins/distroless-static.tar: users with nonroot 65532, the CA bundle, and the files
    and status.d records of distroless's Debian packages (zoneinfo, netbase, mime types)."""
    if not HOST_CA_BUNDLE.is_file():
        raise ToolError(f"{HOST_CA_BUNDLE} missing: apt-get install ca-certificates")
    debs = source.debs(DISTROLESS_PACKAGES)
    with rootfs_tar(STANDIN_BUILD_DIR / "distroless-static.tar") as rootfs:
        _base_directories(rootfs, "etc", "etc/ssl", "etc/ssl/certs", "home", "usr", "usr/share",
                          "var", "var/lib", "var/lib/dpkg", "var/lib/dpkg/status.d")
        rootfs.directory("home/nonroot", 0o700, owner=NONROOT_ID)
        rootfs.text_file("etc/passwd", DISTROLESS_PASSWD)
        rootfs.text_file("etc/group", DISTROLESS_GROUP)
        rootfs.text_file("etc/nsswitch.conf", "hosts: files dns\n")
        rootfs.text_file(
            "etc/os-release",
            _os_release("distroless-standin", "gcr.io/distroless/static-debian12", "Debian files"),
        )
        rootfs.tree(HOST_CA_BUNDLE, "etc/ssl/certs/ca-certificates.crt")
        for package, deb in debs.items():
            files = unpack(deb)
            for top in ("etc", "usr/share"):
                for entry in sorted((files / top).glob("*")) if (files / top).is_dir() else ():
                    rootfs.tree(entry, f"{top}/{entry.name}")
            rootfs.text_file(
                f"var/lib/dpkg/status.d/{package.split(':')[0]}", installed_status(deb)
            )
    return STANDIN_BUILD_DIR / "distroless-static.tar"


def write_debian_rootfs(
    name: str, arch: str, packages: tuple[str, ...], source: PackageSource,
    extra_files: Mapping[str, Path] | None = None,
) -> Path:
    """build/standins/NAME-ARCH.tar: `packages` with their dependencies, unpacked (no maintainer
    scripts) and listed in the dpkg database, plus `extra_files` (path in the image: file);
    rewritten only when one of them changed."""
    debs = source.debs(source.closure(packages, arch))
    extras = dict(extra_files or {})
    tarball = STANDIN_BUILD_DIR / f"{name}-{arch}.tar"
    inputs = tarball.with_suffix(".inputs")
    listing = "".join(f"{deb.name}\n" for deb in debs.values()) + "".join(
        f"{target} {hashlib.sha256(path.read_bytes()).hexdigest()}\n" for target, path in extras.items()
    )
    if tarball.is_file() and inputs.is_file() and inputs.read_text() == listing:
        return tarball
    with rootfs_tar(tarball) as rootfs:
        _base_directories(rootfs, "etc", "var", "var/lib", "var/lib/dpkg")
        for deb in debs.values():
            files = unpack(deb)
            for entry in sorted(files.iterdir()):
                rootfs.tree(entry, entry.name)
        for target, path in extras.items():
            for parent in reversed(Path(target).parents[:-1]):
                rootfs.directory(str(parent))
            rootfs.tree(path, target)
        rootfs.text_file("etc/passwd", ROOT_PASSWD)
        rootfs.text_file("etc/group", ROOT_GROUP)
        rootfs.text_file("etc/os-release", _os_release(
            f"{name}-standin", "debian:bookworm-slim", f"Debian packages: {', '.join(packages)}"
        ))
        rootfs.text_file(
            "var/lib/dpkg/status", "\n".join(installed_status(deb) for deb in debs.values())
        )
    inputs.write_text(listing)
    return tarball


def publish_standins(baker: Baker) -> dict[str, str]:
    """Build and push every stand-in; return the docker-bake.hcl variables that swap them in."""
    baker.progress.step("fetching Debian packages for the stand-ins")
    source = PackageSource()
    busybox = busybox_debs(source)
    baker.progress.step("writing the stand-in root filesystems")
    for arch in ARCHITECTURES:
        write_alpine_rootfs(arch, busybox[arch])
    write_distroless_rootfs(source)
    for arch in BUILD_ARCHITECTURES:
        write_debian_rootfs("debian", arch, BUILDER_PACKAGES, source)
        write_debian_rootfs("scanner", arch, SCANNER_PACKAGES, source, {SCANNER_PATH: SCANNER_SOURCE})
    baker.progress.step("pushing the stand-ins to the local registry")
    environment = {
        "PLATFORMS": ",".join(PLATFORMS),
        "DISTROLESS_PLATFORMS": ",".join(distroless_platforms(PLATFORMS)),
        "BUILD_PLATFORMS": ",".join(linux_platforms(BUILD_ARCHITECTURES)),
    }
    baker.bake("the stand-ins", ["--file", str(STANDIN_BAKE_FILE), "--push"], environment)
    return dict(STANDIN_FOR_VARIABLE)
