"""Builds stand-ins for the alpine and distroless bases from Debian packages, for both architectures,
and pushes them to the local registry: test fixtures for machines that cannot pull the real bases."""

import subprocess
import tarfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Final

from mini_init_tools.abi_table import ARCHITECTURES
from mini_init_tools.bake import run_bake
from mini_init_tools.errors import ToolError
from mini_init_tools.paths import STANDIN_BAKE_FILE, STANDIN_BUILD_DIR

# Each real base (the exact FROM text in images/Dockerfile) and the stand-in that replaces it;
# the tags are set in images/standins/docker-bake.hcl.
STANDIN_FOR_BASE: Final = {
    "alpine:3.20": "localhost:5000/standin/alpine:3.20",
    "gcr.io/distroless/static-debian12": "localhost:5000/standin/distroless-static:debian12",
    "gcr.io/distroless/static-debian12:nonroot":
        "localhost:5000/standin/distroless-static:debian12-nonroot",
}

DEB_CACHE = STANDIN_BUILD_DIR / "debs"
APT_STATE = STANDIN_BUILD_DIR / "apt"
UNPACKED = STANDIN_BUILD_DIR / "unpacked"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
# (package, Debian architecture) pairs the stand-ins are made of.
PACKAGES: Final = (*(("busybox-static", arch) for arch in ARCHITECTURES), ("tzdata", "all"))
# Applets that would clash with the rootfs layout (busybox itself) or that Alpine does not ship.
SKIPPED_APPLETS: Final = ("bin/busybox", "linuxrc")

ALPINE_PASSWD = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n"
ALPINE_GROUP = "root:x:0:root\nnobody:x:65534:\n"
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


def _apt_options() -> list[str]:
    """A private apt state that knows both architectures, leaving the host's apt untouched."""
    return [
        "-o", "APT::Architectures::=amd64", "-o", "APT::Architectures::=arm64",
        "-o", f"Dir::State::Lists={APT_STATE / 'lists'}",
        "-o", f"Dir::State::status={APT_STATE / 'status'}",
        "-o", f"Dir::Cache={APT_STATE / 'cache'}",
        "-o", "Acquire::Languages=none", "-o", "APT::Sandbox::User=root", "-qq",
    ]


def _run(command: list[str], cwd: Path | None = None) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        details = (result.stderr or result.stdout).strip().splitlines() or [f"exit {result.returncode}"]
        raise ToolError(f"`{' '.join(command[:2])}` failed: {details[-1]}")


def _cached_deb(package: str, arch: str) -> Path | None:
    return next(iter(sorted(DEB_CACHE.glob(f"{package}_*_{arch}.deb"))), None)


def fetch_debs() -> dict[tuple[str, str], Path]:
    """The .deb of each package, downloaded with apt into build/standins/debs once and reused."""
    missing = [(package, arch) for package, arch in PACKAGES if _cached_deb(package, arch) is None]
    if missing:
        for directory in (DEB_CACHE, APT_STATE / "lists/partial", APT_STATE / "cache/archives/partial"):
            directory.mkdir(parents=True, exist_ok=True)
        (APT_STATE / "status").touch()
        _run(["apt-get", "update", *_apt_options()])
        names = [package if arch == "all" else f"{package}:{arch}" for package, arch in missing]
        _run(["apt-get", "download", *_apt_options(), *names], cwd=DEB_CACHE)
    debs = {(package, arch): _cached_deb(package, arch) for package, arch in PACKAGES}
    absent = [f"{package}:{arch}" for (package, arch), deb in debs.items() if deb is None]
    if absent:
        raise ToolError(f"apt-get download gave no .deb for {', '.join(absent)}: check the apt sources")
    return {key: deb for key, deb in debs.items() if deb is not None}


def unpack(deb: Path) -> Path:
    """The package's files, extracted once with dpkg -x under build/standins/unpacked/."""
    target = UNPACKED / deb.stem
    if not target.is_dir():
        partial = target.with_suffix(".partial")
        partial.mkdir(parents=True, exist_ok=True)
        _run(["dpkg", "-x", str(deb), str(partial)])
        partial.rename(target)
    return target


class RootfsTar:
    """A root filesystem tarball with every entry owned by root (unless told) and dated 0, so it is
    the same bytes on every run."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._tar = tarfile.open(path, "w", format=tarfile.PAX_FORMAT)

    def __enter__(self) -> "RootfsTar":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._tar.close()

    def directory(self, name: str, mode: int = 0o755, owner: int = 0) -> None:
        self._tar.addfile(self._info(name, tarfile.DIRTYPE, mode, owner))

    def text_file(self, name: str, text: str, mode: int = 0o644) -> None:
        data = text.encode()
        info = self._info(name, tarfile.REGTYPE, mode)
        info.size = len(data)
        self._tar.addfile(info, BytesIO(data))

    def symlink(self, name: str, target: str) -> None:
        info = self._info(name, tarfile.SYMTYPE, 0o777)
        info.linkname = target
        self._tar.addfile(info)

    def tree(self, source: Path, name: str) -> None:
        """Add `source` (a file or a directory, recursively, in sorted order) as `name`."""
        self._tar.add(source, arcname=name, filter=self._owned_by_root)

    @staticmethod
    def _info(name: str, kind: bytes, mode: int, owner: int = 0) -> tarfile.TarInfo:
        info = tarfile.TarInfo(name)
        info.type, info.mode, info.uid, info.gid, info.mtime = kind, mode, owner, owner, 0
        return info

    @staticmethod
    def _owned_by_root(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        info.mtime = 0
        return info


def _busybox_applets(busybox: Path) -> list[str]:
    """Where each applet belongs (bin/sh, usr/bin/awk, ...), as busybox itself lists them; the arm64
    busybox runs through QEMU binfmt."""
    result = subprocess.run([busybox, "--list-full"], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ToolError(
            f"{busybox} --list-full failed: is QEMU binfmt registered? run `mini-init-tools doctor`"
        )
    return [applet for applet in result.stdout.split() if applet not in SKIPPED_APPLETS]


def write_alpine_rootfs(arch: str, busybox_deb: Path) -> Path:
    """build/standins/alpine-ARCH.tar: busybox with its applets, /etc basics, /tmp."""
    busybox = unpack(busybox_deb) / "bin" / "busybox"
    applets = _busybox_applets(busybox)
    with RootfsTar(STANDIN_BUILD_DIR / f"alpine-{arch}.tar") as rootfs:
        for directory in ("bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "home", "var"):
            rootfs.directory(directory)
        rootfs.directory("root", 0o700)
        rootfs.directory("tmp", 0o1777)
        rootfs.tree(busybox, "bin/busybox")
        for applet in applets:
            rootfs.symlink(applet, "/bin/busybox")
        rootfs.text_file("etc/passwd", ALPINE_PASSWD)
        rootfs.text_file("etc/group", ALPINE_GROUP)
        rootfs.text_file(
            "etc/os-release", _os_release("alpine-standin", "alpine:3.20", "Debian busybox-static")
        )
    return rootfs.path


def write_distroless_rootfs(tzdata_deb: Path) -> Path:
    """build/standins/distroless-static.tar: users with nonroot 65532, CA bundle, zoneinfo, /tmp."""
    if not HOST_CA_BUNDLE.is_file():
        raise ToolError(f"{HOST_CA_BUNDLE} missing: apt-get install ca-certificates")
    zoneinfo = unpack(tzdata_deb) / "usr" / "share" / "zoneinfo"
    with RootfsTar(STANDIN_BUILD_DIR / "distroless-static.tar") as rootfs:
        for directory in ("etc", "etc/ssl", "etc/ssl/certs", "home", "usr", "usr/share", "var"):
            rootfs.directory(directory)
        rootfs.directory("root", 0o700)
        rootfs.directory("home/nonroot", 0o700, owner=NONROOT_ID)
        rootfs.directory("tmp", 0o1777)
        rootfs.text_file("etc/passwd", DISTROLESS_PASSWD)
        rootfs.text_file("etc/group", DISTROLESS_GROUP)
        rootfs.text_file("etc/nsswitch.conf", "hosts: files dns\n")
        rootfs.text_file(
            "etc/os-release",
            _os_release("distroless-standin", "gcr.io/distroless/static-debian12", "Debian files"),
        )
        rootfs.tree(HOST_CA_BUNDLE, "etc/ssl/certs/ca-certificates.crt")
        rootfs.tree(zoneinfo, "usr/share/zoneinfo")
    return rootfs.path


def publish_standins(show: Callable[[str], None]) -> dict[str, str]:
    """Build and push every stand-in; return the buildx named contexts that swap them in, keyed by
    the FROM text of the base each replaces."""
    show("fetching Debian packages for the stand-in bases")
    debs = fetch_debs()
    show("writing the stand-in root filesystems")
    for arch in ARCHITECTURES:
        write_alpine_rootfs(arch, debs[("busybox-static", arch)])
    write_distroless_rootfs(debs[("tzdata", "all")])
    run_bake(["--file", str(STANDIN_BAKE_FILE), "--push"], {}, show)
    return {base: f"docker-image://{standin}" for base, standin in STANDIN_FOR_BASE.items()}
