"""Reaping: orphans never pile up as zombies, and the main child's status is never confused."""

import pytest

from . import procfs
from .contract_text import NOT_REAPING
from .harness import (
    ONLY_AS_CHILD,
    ONLY_AS_PID1,
    InitLauncher,
    InitRun,
    python_helper,
    wait_until,
)

APP_EXIT_CODE = 42
BURSTS_TIMEOUT = 120.0  # forking thousands of processes takes a while on two busy cores
REAP_TIMEOUT = 30.0


def start_orphan_bursts(
    mini_init: InitLauncher,
    orphans: int,
    burst: int,
    lingering: int,
    env: dict[str, str] | None = None,
) -> InitRun:
    command = python_helper(
        "orphan_bursts.py", mini_init.workdir, orphans, burst, lingering, APP_EXIT_CODE
    )
    return mini_init.start(command, options=["-v"], env=env)


def wait_for_bursts_then_for_no_zombies(mini_init: InitLauncher, run: InitRun) -> None:
    wait_until((mini_init.workdir / "done").exists, "the app to make its orphans", BURSTS_TIMEOUT)
    wait_until(
        lambda: not procfs.zombie_descendants(run.init_pid),
        "every orphan to be reaped",
        REAP_TIMEOUT,
    )


def orphans_reaped(event_texts: list[str]) -> int:
    return sum(text.startswith("event=reap main=0 ") for text in event_texts)


@pytest.mark.slow
@ONLY_AS_PID1
@pytest.mark.differential("sorted")  # orphans are reaped in the order they happen to exit
def test_ten_thousand_orphans_in_bursts_leave_no_zombie_behind(mini_init: InitLauncher) -> None:
    run = start_orphan_bursts(mini_init, orphans=10_000, burst=500, lingering=0)
    app = run.main_child()

    wait_for_bursts_then_for_no_zombies(mini_init, run)

    assert procfs.is_alive(app)
    (mini_init.workdir / "release").touch()
    finished = run.wait()
    assert finished.exit_code == APP_EXIT_CODE
    assert orphans_reaped(finished.event_texts) == 10_000


@ONLY_AS_PID1
# The lingering children exit within milliseconds of the app: the drain's TERM reaches some of
# them first (signal=15) or none (exit=7), as the scheduler decides.
@pytest.mark.differential("messages")
def test_main_status_is_not_confused_by_exits_in_the_same_burst(mini_init: InitLauncher) -> None:
    run = start_orphan_bursts(mini_init, orphans=1000, burst=250, lingering=200)
    app = procfs.namespace_pid(run.main_child())
    wait_until((mini_init.workdir / "done").exists, "the app to make its orphans", BURSTS_TIMEOUT)

    (mini_init.workdir / "release").touch()
    finished = run.wait()

    assert finished.exit_code == APP_EXIT_CODE
    assert f"event=reap main=1 pid={app} exit={APP_EXIT_CODE}" in finished.event_texts
    assert orphans_reaped(finished.event_texts) == 1200


@ONLY_AS_CHILD
@pytest.mark.differential("messages")  # the lingering children end with the app or by its drain
def test_subreaper_plain_child_reaps_orphans(mini_init: InitLauncher) -> None:
    run = start_orphan_bursts(
        mini_init, orphans=300, burst=100, lingering=50, env={"EP_SUBREAPER": "1"}
    )

    wait_for_bursts_then_for_no_zombies(mini_init, run)

    (mini_init.workdir / "release").touch()
    finished = run.wait()
    assert finished.exit_code == APP_EXIT_CODE
    assert orphans_reaped(finished.event_texts) == 350
    assert finished.messages == []


@ONLY_AS_CHILD
@pytest.mark.parametrize("subreaper", [None, "0", ""], ids=["unset", "zero", "empty"])
def test_plain_child_without_subreaper_warns_in_one_line(
    mini_init: InitLauncher, subreaper: str | None
) -> None:
    finished = mini_init.run(["true"], env={"EP_SUBREAPER": subreaper})

    assert finished.exit_code == 0
    assert finished.stderr_lines == [NOT_REAPING]


@ONLY_AS_PID1
@pytest.mark.differential("sorted")  # orphans are reaped in the order they happen to exit
def test_pid1_reaps_orphans_without_warning(mini_init: InitLauncher) -> None:
    run = start_orphan_bursts(mini_init, orphans=200, burst=50, lingering=0)

    wait_for_bursts_then_for_no_zombies(mini_init, run)
    (mini_init.workdir / "release").touch()
    finished = run.wait()

    assert finished.exit_code == APP_EXIT_CODE
    assert orphans_reaped(finished.event_texts) == 200
    assert finished.messages == []
