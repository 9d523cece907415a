"""The core scenarios (docker stop, exit codes, zombies) as steps with their assertions, shared by
the plain suites (test_stop, test_exit_codes, test_zombies) and the hardened one (test_hardened),
which runs the same steps with extra `docker run` options."""

import time
from typing import Any

from host_proc import zombies_in_namespace
from scenario_containers import (
    VERBOSE_INIT_ENTRYPOINT,
    ImageTarget,
    ScenarioContainers,
    app_command,
)
from scenario_figures import FigureRecorder

# A prompt stop is the app's own exit after the forwarded TERM: about a second, never docker's 10 s.
PROMPT_STOP_LIMIT_SECONDS = 5.0
GRACE_SECONDS = 2
# EP_GRACE_SECONDS=2, then SIGKILL: about 2 s (QEMU and a loaded machine included).
GRACE_STOP_RANGE_SECONDS = (1.5, 6.0)
SIGKILL_STATUS = 128 + 9
ORPHAN_ROUNDS = 20
ORPHANS_PER_ROUND = 5
# Orphans sleep 0.2 s; the init has this long to reap the last of them.
ZOMBIE_SETTLE_SECONDS = 10.0


def stop_well_behaved_app(
    containers: ScenarioContainers, target: ImageTarget, figures: FigureRecorder, **options: Any
) -> None:
    """`docker stop` of an app that exits 0 on TERM: the app's status, in about a second."""
    app = containers.start(target, app_command("exit_on_term.sh"), **options)
    app.wait_for_output("app: ready")
    seconds = app.timed_stop()
    exit_code = app.wait_for_exit()
    figures.record("docker stop", seconds, "s")
    assert "app: got TERM" in app.output()
    assert exit_code == 0, app.output()
    assert seconds < PROMPT_STOP_LIMIT_SECONDS, (
        f"docker stop took {seconds:.2f} s: the TERM did not end the app through the init"
    )


def stop_term_ignoring_app(
    containers: ScenarioContainers, target: ImageTarget, figures: FigureRecorder, **options: Any
) -> None:
    """`docker stop -t 10` of an app that ignores TERM, EP_GRACE_SECONDS=2: SIGKILL after ~2 s, 137."""
    environment = {"EP_GRACE_SECONDS": str(GRACE_SECONDS), **options.pop("environment", {})}
    app = containers.start(
        target, app_command("ignore_term.sh"), environment=environment, **options
    )
    app.wait_for_output("app: ready")
    seconds = app.timed_stop(timeout=10)
    exit_code = app.wait_for_exit()
    figures.record("docker stop, TERM ignored", seconds, "s")
    assert exit_code == SIGKILL_STATUS, app.output()
    low, high = GRACE_STOP_RANGE_SECONDS
    assert low <= seconds <= high, (
        f"docker stop took {seconds:.2f} s, expected the {GRACE_SECONDS} s grace then SIGKILL"
    )


def exit_with_own_code(
    containers: ScenarioContainers, target: ImageTarget, code: int, **options: Any
) -> None:
    """The app's own exit status is the container's."""
    finished = containers.run_to_exit(target, ["sh", "-c", f"exit {code}"], **options)
    assert finished.exit_code == code, finished.text


def die_by_signal(
    containers: ScenarioContainers, target: ImageTarget, signal: str, expected: int,
    **options: Any,
) -> None:
    """The app kills itself with `signal`: the container exits `expected` (base + signal)."""
    finished = containers.run_to_exit(target, ["sh", "-c", f"kill -{signal} $$"], **options)
    assert finished.exit_code == expected, finished.text


def leave_no_zombies(
    containers: ScenarioContainers, target: ImageTarget, figures: FigureRecorder, **options: Any
) -> None:
    """An app that leaks orphans (double forks, pipelines, grandchildren's children): the init reaps
    every one, so the host's /proc shows no zombie in the container's PID namespace."""
    environment = {"ORPHAN_ROUNDS": str(ORPHAN_ROUNDS), **options.pop("environment", {})}
    app = containers.start(
        target,
        app_command("leak_orphans.sh"),
        entrypoint=VERBOSE_INIT_ENTRYPOINT,
        environment=environment,
        **options,
    )
    app.wait_for_output("orphans")
    namespace = app.init_pid_namespace()
    orphans = ORPHAN_ROUNDS * ORPHANS_PER_ROUND
    deadline = time.monotonic() + ZOMBIE_SETTLE_SECONDS
    most_zombies = 0
    while True:
        zombies = zombies_in_namespace(namespace)
        most_zombies = max(most_zombies, len(zombies))
        reaped = app.output().count("event=reap main=0")
        if (not zombies and reaped >= orphans) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    figures.record("orphans reaped by the init", reaped)
    figures.record("zombies seen (max)", most_zombies)
    figures.record("zombies left", len(zombies))
    assert zombies == [], f"zombies left in the container: {zombies}"
    assert reaped >= orphans, f"the init reaped {reaped} orphans, the app left {orphans}"
    assert app.state()["Running"], "the app should still be running"
