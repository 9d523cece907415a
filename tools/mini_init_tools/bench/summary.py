"""The statistics every measurement reports: median and quartiles of raw samples, ratios."""

import statistics
from collections.abc import Sequence
from typing import TypedDict


class Summary(TypedDict):
    """Median and spread of one series of samples, in the samples' own unit."""

    count: int
    median: float
    q1: float
    q3: float
    iqr: float
    minimum: float
    maximum: float


def summarize(samples: Sequence[float]) -> Summary:
    """Median, quartiles (inclusive method) and range of a non-empty series."""
    if not samples:
        raise ValueError("no samples to summarize")
    if len(samples) == 1:
        first_quartile = third_quartile = float(samples[0])
    else:
        first_quartile, _, third_quartile = statistics.quantiles(samples, n=4, method="inclusive")
    return Summary(
        count=len(samples),
        median=float(statistics.median(samples)),
        q1=first_quartile,
        q3=third_quartile,
        iqr=third_quartile - first_quartile,
        minimum=float(min(samples)),
        maximum=float(max(samples)),
    )


def ratio(value: float, reference: float) -> float | None:
    """`value / reference`, or None when the reference is not positive (no meaningful ratio)."""
    return value / reference if reference > 0 else None
