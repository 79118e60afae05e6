"""What every benchmark reports, and where the shared real logs are."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

# The shared folder sits beside the checkout; SUNLIGHT_SHARED_DATA overrides it.
DATA_DIR = Path(
    os.environ.get(
        "SUNLIGHT_SHARED_DATA",
        Path(__file__).resolve().parents[2].parent / "shared" / "data" / "eventlogs",
    )
)


@dataclass(frozen=True)
class BenchRow:
    task: str  # e.g. "read XES"
    dataset: str  # e.g. "receipt_wabo_full.xes.gz"
    events: int
    seconds: float
    reference_seconds: float | None = None  # the reference tool on the same input, same run
    identical: bool | None = None  # did both give the same verdicts / fitness / events?
    note: str = ""

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else float("inf")

    @property
    def ratio(self) -> float | None:
        """How many times faster than the reference (None when there is no reference)."""
        if self.reference_seconds is None or not self.seconds:
            return None
        return self.reference_seconds / self.seconds


def best_of(repeat: int, fn: Callable[[], T]) -> tuple[float, T]:
    """The fastest of ``repeat`` runs (the least disturbed by a shared machine), and its result."""
    best = float("inf")
    result: T | None = None
    for _ in range(max(repeat, 1)):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return best, result
