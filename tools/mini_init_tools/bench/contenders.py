"""The inits under test: mini-init, its Debian peers and the floor, how each is invoked, their run
order."""

import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from mini_init_tools.errors import ToolError

MINI_INIT = "mini-init"
FLOOR = "floor"  # fork, exec, wait and forward, nothing else: see floor/floor.asm
REFERENCE = "tini-static"  # what `docker run --init` uses here; every ratio is against it
PEER_PACKAGES = "tini dumb-init catatonit"
Item = TypeVar("Item")


@dataclass(frozen=True)
class Contender:
    """One init binary and the arguments that come between it and the supervised command; the
    version when the binary cannot tell it (`--version`)."""

    name: str
    binary: Path
    separator: tuple[str, ...]
    version: str | None = None

    def command(self, *application: str) -> list[str]:
        """The argv that makes this init supervise `application`."""
        return [str(self.binary), *self.separator, *application]


PEERS = (
    Contender("tini", Path("/usr/bin/tini"), ("--",)),
    Contender(REFERENCE, Path("/usr/bin/tini-static"), ("--",)),
    Contender("dumb-init", Path("/usr/bin/dumb-init"), ()),
    Contender("catatonit", Path("/usr/bin/catatonit"), ("--",)),
)


def find_contenders(mini_init_binary: Path, floor: Contender) -> list[Contender]:
    """mini-init first, then every peer, then the floor; a missing peer is named with the packages
    to install."""
    for peer in PEERS:
        if not peer.binary.is_file():
            raise ToolError(f"{peer.binary} is missing: apt-get install {PEER_PACKAGES}")
    return [Contender(MINI_INIT, mini_init_binary, ("--",)), *PEERS, floor]


def version_of(contender: Contender) -> str:
    """The first line the init prints for --version (dumb-init prints it on stderr)."""
    if contender.version is not None:
        return contender.version
    result = subprocess.run(
        [str(contender.binary), "--version"],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    lines = (result.stdout or result.stderr).strip().splitlines()
    return lines[0] if lines else "unknown"


def round_robin(items: Sequence[Item], repetitions: int) -> Iterator[Item]:
    """Each repetition visits every item once, starting one further along each time."""
    for repetition in range(repetitions):
        start = repetition % len(items)
        yield from (*items[start:], *items[:start])
