"""Brings the local Docker stack (engine, buildx, registry, QEMU) up and down with buildx/ scripts."""

import subprocess
from dataclasses import dataclass

from mini_init_tools.doctor import Finding, examine_stack
from mini_init_tools.errors import ToolError
from mini_init_tools.paths import BUILD_DIR, BUILDX_SCRIPTS
from mini_init_tools.programs import BASH, require_program

STACK_LOG = BUILD_DIR / "logs" / "stack.log"


@dataclass(frozen=True)
class StackStep:
    """One idempotent script under buildx/ and what it does, for the progress line."""

    script: str
    message: str
    timeout_seconds: float = 120


UP_STEPS = (
    StackStep("install-engine.sh", "installing Docker, buildx, compose, the registry and QEMU", 900),
    StackStep("register-binfmt.sh", "registering QEMU arm64 and riscv64 emulation"),
    StackStep("start-engine.sh", "starting dockerd"),
    StackStep("start-registry.sh", "starting the local registry on 127.0.0.1:5000"),
)
DOWN_STEPS = (StackStep("stop-stack.sh", "stopping the registry and dockerd"),)


def _log(step: StackStep, output: str) -> None:
    STACK_LOG.parent.mkdir(parents=True, exist_ok=True)
    with STACK_LOG.open("a") as log:
        log.write(f"--- {step.script}\n{output}")


def run_step(step: StackStep) -> None:
    """Run one script; its output goes to build/logs/stack.log, a failure becomes one ToolError line."""
    try:
        result = subprocess.run(
            [require_program(BASH), str(BUILDX_SCRIPTS / step.script)],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=step.timeout_seconds,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ToolError(f"{step.script} did not finish in {step.timeout_seconds:.0f}s") from None
    _log(step, result.stdout + result.stderr)
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines() or [f"exit status {result.returncode}"]
        reason = lines[-1].removeprefix(f"{step.script}: ")
        raise ToolError(f"{step.script} failed: {reason} (full output in {STACK_LOG})")


def require_stack_up() -> None:
    """Fail with the first stack prerequisite that is still missing and the command that fixes it."""
    missing: list[Finding] = [finding for finding in examine_stack() if not finding.met]
    if missing:
        first = missing[0]
        raise ToolError(f"{first.name}: not ready after `stack up`; fix with `{first.fix}`")
