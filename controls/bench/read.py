"""How fast the readers are, against PM4Py reading the same files in the same run.

``identical`` means both sides give the same number of events and the same (case, activity,
timestamp) sequence: in file order for XES; for CSV in the order PM4Py's ``format_dataframe``
sorts into (case, then time), with timestamps compared as written (PM4Py keeps naive times
naive, while this project reads them in the configured zone).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import resource
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from controls.bench.common import DATA_DIR, BenchRow, best_of
from controls.events import Event
from controls.io import read_csv, read_xes

RECEIPT = DATA_DIR / "receipt_wabo_full.xes.gz"
BPIC15 = DATA_DIR / "bpic15_1_municipality_eventdataR.csv.gz"
GENERATED = Path(__file__).resolve().parents[2] / "var" / "bench" / "generated-1m.xes.gz"

Key = tuple[str, str, int]


def _instant(time: dt.datetime) -> int:
    """Microseconds since the epoch: equal instants compare equal whatever their offsets."""
    return round(time.timestamp() * 1_000_000)


def _our_keys(events: Iterable[Event]) -> list[Key]:
    return [(e.case, e.activity, _instant(e.time)) for e in events]


def _frame_keys(frame: Any, naive_as_utc: bool = False) -> list[Key]:
    cases = frame["case:concept:name"].astype(str).tolist()
    activities = frame["concept:name"].astype(str).tolist()
    times = [t.to_pydatetime() for t in frame["time:timestamp"]]
    if naive_as_utc:
        times = [t.replace(tzinfo=dt.UTC) if t.tzinfo is None else t for t in times]
    return [(c, a, _instant(t)) for c, a, t in zip(cases, activities, times, strict=True)]


def _quiet_pm4py() -> Any:
    # PM4Py prints a banner and progress bars; they are not part of what is measured.
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        import pm4py
    return pm4py


def _pm4py_read_xes(path: Path) -> Any:
    pm4py = _quiet_pm4py()
    with contextlib.redirect_stderr(io.StringIO()):
        return pm4py.read_xes(str(path))


def _pm4py_read_csv(path: Path) -> Any:
    import pandas as pd  # type: ignore[import-untyped]  # no stubs in the environment

    pm4py = _quiet_pm4py()
    frame = pd.read_csv(path)
    return pm4py.format_dataframe(
        frame,
        case_id="case:concept:name",
        activity_key="concept:name",
        timestamp_key="time:timestamp",
    )


def bench_xes(path: Path, repeat: int, reference: bool = True) -> BenchRow:
    seconds, events = best_of(repeat, lambda: list(read_xes(path)))
    if not reference:
        return BenchRow("read XES", path.name, len(events), seconds, note="reference skipped")
    reference_seconds, frame = best_of(repeat, lambda: _pm4py_read_xes(path))
    same = _our_keys(events) == _frame_keys(frame)
    return BenchRow(
        "read XES",
        path.name,
        len(events),
        seconds,
        reference_seconds,
        same,
        note=f"pm4py.read_xes, best of {repeat}",
    )


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def bench_generated(path: Path, quick: bool) -> BenchRow:
    # A million events: count them as they stream by rather than holding them all, and see how
    # far the process's peak memory moves (it should not, beyond one trace at a time).
    before = _peak_rss_mb()
    seconds, count = best_of(1, lambda: sum(1 for _ in read_xes(path)))
    memory = f"peak RSS {_peak_rss_mb():.0f} MB (was {before:.0f} MB before reading)"
    if quick:
        return BenchRow(
            "read XES (streamed)", path.name, count, seconds, note=f"pm4py skipped; {memory}"
        )
    reference_seconds, frame = best_of(1, lambda: _pm4py_read_xes(path))
    note = f"pm4py.read_xes, one run; identical = same count; {memory}"
    return BenchRow(
        "read XES (streamed)",
        path.name,
        count,
        seconds,
        reference_seconds,
        len(frame) == count,
        note=note,
    )


def bench_csv(path: Path, repeat: int) -> BenchRow:
    seconds, events = best_of(repeat, lambda: list(read_csv(path, tz=dt.UTC)))
    reference_seconds, frame = best_of(repeat, lambda: _pm4py_read_csv(path))
    # Read naive times as UTC on both sides, then put ours in the reference's order.
    ours = sorted(_our_keys(events), key=lambda k: (k[0], k[2]))
    theirs = _frame_keys(frame, naive_as_utc=True)
    same = len(events) == len(frame) and sorted(ours) == sorted(theirs)
    return BenchRow(
        "read CSV",
        path.name,
        len(events),
        seconds,
        reference_seconds,
        same,
        note=f"pandas.read_csv + pm4py.format_dataframe, best of {repeat}",
    )


def run(quick: bool) -> list[BenchRow]:
    repeat = 1 if quick else 5
    _quiet_pm4py()  # importing PM4Py takes seconds: keep it out of the timings
    rows = []
    if RECEIPT.exists():
        rows.append(bench_xes(RECEIPT, repeat))
    if BPIC15.exists():
        rows.append(bench_csv(BPIC15, repeat))
    if GENERATED.exists():
        rows.append(bench_generated(GENERATED, quick))
    return rows
