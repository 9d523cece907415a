# SPDX-License-Identifier: MIT
"""Behaviours no other test pinned down, found by `mini-init-tools mutate` (docs/testing.md).

Each test here is what kills the mutation named in its docstring."""

from . import procfs
from .harness import InitLauncher, wait_until

GRACE_SECONDS = 5
APP_EXIT_CODE = 3
# The leftover: a TERM handler that flushes, then it stops itself (as Ctrl-Z or SIGSTOP would).
STOPPING_LEFTOVER = """trap 'echo flushed > "$1"; exit 0' TERM
kill -STOP $$
while :; do sleep 0.05; done
"""


def test_stopped_group_leftover_is_continued_to_see_its_term(mini_init: InitLauncher) -> None:
    """docs/contract.md section 4: the drain sends SIGTERM, then SIGCONT, so a stopped leftover
    runs its handler and flushes well before the grace period's SIGKILL (sigcont-not-sent)."""
    workdir = mini_init.workdir
    leftover, flushed, release = workdir / "leftover.sh", workdir / "flushed", workdir / "release"
    leftover.write_text(STOPPING_LEFTOVER)
    app = (
        f'sh "{leftover}" "{flushed}" & '
        f'while [ ! -e "{release}" ]; do sleep 0.05; done; exit {APP_EXIT_CODE}'
    )
    run = mini_init.start(
        ["sh", "-c", app], options=["-v"], env={"EP_GRACE_SECONDS": str(GRACE_SECONDS)}
    )
    app_pid = run.main_child("sh")
    wait_until(
        lambda: any(procfs.is_stopped(pid) for pid in procfs.children(app_pid)),
        "the leftover to stop itself",
    )

    release.touch()
    finished = run.wait()

    assert finished.exit_code == APP_EXIT_CODE
    assert flushed.read_text() == "flushed\n"
    drained_at = finished.event("event=drain sig=15").seconds
    assert finished.ended_at - drained_at < GRACE_SECONDS - 1, "the leftover waited for SIGKILL"
