"""Figures every benchmark reports: percentiles of timings, in milliseconds."""

from __future__ import annotations

import json
import statistics
import sys
from collections.abc import Sequence


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (fraction in 0..1) of the samples."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": round(statistics.median(ms), 3),
        "p95_ms": round(percentile(ms, 0.95), 3),
        "p99_ms": round(percentile(ms, 0.99), 3),
    }


def emit(name: str, figures: dict[str, object]) -> None:
    """One JSON line per benchmark on stdout: what `make bench` collects."""
    sys.stdout.write(json.dumps({"benchmark": name, **figures}, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def profile_search_kind() -> str:
    """How this install runs profile searches, for a run's report: the compiled search
    (bot/library/profile_kernel.py) or the numpy one."""
    # Imported here, not at the top: numpy's import (about 85 ms) would otherwise be paid
    # again by every worker of bench_folder_import's process pools, which import that
    # benchmark's module (and so this one) as their main module.
    from bot.library.profile_kernel import available

    return "compiled" if available() else "in numpy"
