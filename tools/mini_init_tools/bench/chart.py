"""The PNG chart of the main ratios to tini-static: binary size, own peak memory, spawn overhead."""

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mini_init_tools.bench.contenders import MINI_INIT, REFERENCE
from mini_init_tools.bench.targets import MEMORY_TARGET_KB, SIZE_TARGET_BYTES, SPAWN_TARGET_RATIO
from mini_init_tools.errors import ToolError


@dataclass(frozen=True)
class Panel:
    """One bar chart: each init's ratio to the reference, and mini-init's target as a ratio too."""

    title: str
    ratio_by_init: dict[str, float]
    target_ratio: float
    log_scale: bool


def require_matplotlib() -> None:
    """Fail before any measurement when the chart could not be drawn at the end."""
    if importlib.util.find_spec("matplotlib") is None:
        raise ToolError("matplotlib is missing (needed for the chart): pip install -e '.[bench]'")


def panels(results: dict[str, Any]) -> list[Panel]:
    """Size and memory span orders of magnitude (log scale); spawn overhead ratios do not."""
    sizes, memory, spawn = results["size_bytes"], results["memory"], results["spawn"]["inits"]
    names = list(results["inits"])
    reference_memory = memory[REFERENCE]["summary"]["median"]
    return [
        Panel(
            "binary size",
            {name: sizes[name] / sizes[REFERENCE] for name in names},
            SIZE_TARGET_BYTES / sizes[REFERENCE],
            log_scale=True,
        ),
        Panel(
            "own peak memory (VmHWM)",
            {name: memory[name]["summary"]["median"] / reference_memory for name in names},
            MEMORY_TARGET_KB / reference_memory,
            log_scale=True,
        ),
        Panel(
            "spawn overhead",
            {name: spawn[name]["overhead_vs_reference"] or 0.0 for name in names},
            SPAWN_TARGET_RATIO,
            log_scale=False,
        ),
    ]


def write_chart(results: dict[str, Any], path: Path) -> None:
    """A bar panel per ratio; a line at 1× (reference), a dashed one at mini-init's target."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    drawn = panels(results)
    figure, axes = pyplot.subplots(
        1, len(drawn), figsize=(4.4 * len(drawn), 4.4), layout="constrained"
    )
    for axis, panel in zip(axes, drawn, strict=True):
        names = list(panel.ratio_by_init)
        colors = ["tab:green" if name == MINI_INIT else "tab:gray" for name in names]
        bars = axis.bar(names, list(panel.ratio_by_init.values()), color=colors)
        axis.bar_label(
            bars, labels=[f"{value:.3g}×" for value in panel.ratio_by_init.values()], fontsize=8
        )
        values = [*panel.ratio_by_init.values(), panel.target_ratio, 1.0]
        if panel.log_scale:
            axis.set_yscale("log")
            axis.set_ylim(min(values) / 2, max(values) * 4)
        else:
            axis.set_ylim(0, max(values) * 1.2)
        axis.axhline(1.0, color="black", linewidth=0.8)
        axis.axhline(panel.target_ratio, color="tab:green", linestyle="--", linewidth=1)
        axis.annotate(
            f"mini-init target {panel.target_ratio:.3g}×",
            (1.0, panel.target_ratio),
            xycoords=("axes fraction", "data"),
            xytext=(-4, 3),
            textcoords="offset points",
            ha="right",
            fontsize=8,
            color="tab:green",
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
        )
        axis.set_title(panel.title)
        axis.set_ylabel(f"× {REFERENCE}")
        axis.tick_params(axis="x", labelrotation=30)
    figure.suptitle(f"mini-init and its peers relative to {REFERENCE} (lower is better)")
    figure.savefig(path, dpi=110)
    pyplot.close(figure)
