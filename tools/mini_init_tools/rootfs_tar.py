# SPDX-License-Identifier: MIT
"""Writes a root filesystem tarball whose bytes depend only on what goes in: every entry owned by
root (unless told) and dated 0, written to a temporary name and renamed when complete."""

import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path

# What slim Debian images leave out, and the stand-ins with them: documentation and translations.
LEFT_OUT = ("usr/share/doc/", "usr/share/man/", "usr/share/info/", "usr/share/locale/",
            "usr/share/lintian/")


class RootfsTar:
    """Adds entries to an open tar archive, each dated 0 and owned by root unless told."""

    def __init__(self, archive: tarfile.TarFile) -> None:
        self._archive = archive

    def directory(self, name: str, mode: int = 0o755, owner: int = 0) -> None:
        self._archive.addfile(_info(name, tarfile.DIRTYPE, mode, owner))

    def text_file(self, name: str, text: str, mode: int = 0o644) -> None:
        data = text.encode()
        info = _info(name, tarfile.REGTYPE, mode)
        info.size = len(data)
        self._archive.addfile(info, BytesIO(data))

    def symlink(self, name: str, target: str) -> None:
        info = _info(name, tarfile.SYMTYPE, 0o777)
        info.linkname = target
        self._archive.addfile(info)

    def tree(self, source: Path, name: str) -> None:
        """Add `source` (a file or a directory, recursively, in sorted order) as `name`, leaving
        out documentation and translations."""
        self._archive.add(source, arcname=name, filter=_owned_by_root)


def _info(name: str, kind: bytes, mode: int, owner: int = 0) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.uid, info.gid, info.mtime = kind, mode, owner, owner, 0
    return info


def _owned_by_root(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
    if info.name.startswith(LEFT_OUT):
        return None
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mtime = 0
    return info


@contextmanager
def rootfs_tar(path: Path) -> Iterator[RootfsTar]:
    """A RootfsTar writing `path`; the file appears only once the archive is complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.partial")
    with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
        yield RootfsTar(archive)
    partial.replace(path)
