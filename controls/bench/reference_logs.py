"""The logs of the conformance benchmarks, loaded once for both sides.

Ours is a list of ``Event`` records; the reference gets its data frame and its legacy log object.
Each case's events are in the same order on both sides: file order for XES; for the CSV the
order the reference's ``format_dataframe`` sorts into (time, then file order), which ours gets by
a stable sort on time (the BPIC 2015 file is not in time order, and many events share a day).
Loading is not timed: both sides start from a log in memory, grouped by case (the reference's
event log object is; ours is grouped once at load). The benches also time ours from the flat
list of events, grouping included, and report it in the row's note.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from controls.bench.common import DATA_DIR
from controls.conformance.cases import activity_traces, group_cases
from controls.events import Event
from controls.io import read_log

RECEIPT = DATA_DIR / "receipt_wabo_full.xes.gz"
BPIC15 = DATA_DIR / "bpic15_1_municipality_eventdataR.csv.gz"
GENERATED = Path(__file__).resolve().parents[2] / "var" / "bench" / "generated-1m.xes.gz"


@dataclass(frozen=True)
class BenchLog:
    path: Path
    events: list[Event]  # ours; each case's events in the reference's order
    frame: Any  # the reference's data frame
    legacy: Any  # the reference's event log object: its traces name their cases
    cases: list[str]  # case ids in the order of ``legacy``
    grouped: dict[str, list[Event]]  # ours grouped by case, as ``legacy`` is by the reference

    def traces(self) -> list[list[str]]:
        """Each case's activities, in ``cases`` order, from the grouped events (the
        counterpart of the reference projecting its event log on the activity)."""
        grouped = self.grouped
        return [[e.activity for e in grouped[case]] for case in self.cases]

    def traces_from_events(self) -> list[list[str]]:
        """The same from the flat list of events: grouping included."""
        traces = activity_traces(self.events)
        return [traces[case] for case in self.cases]


def quiet_pm4py() -> Any:
    """The reference, without its banner, warnings and progress bars (they cost time too)."""
    os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "False")
    warnings.filterwarnings("ignore")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        import pm4py
    return pm4py


def load(path: Path) -> BenchLog:
    pm4py = quiet_pm4py()
    if path.name.endswith((".csv", ".csv.gz")):
        import pandas as pd  # type: ignore[import-untyped]  # no stubs in the environment

        frame = pm4py.format_dataframe(
            pd.read_csv(path),
            case_id="case:concept:name",
            activity_key="concept:name",
            timestamp_key="time:timestamp",
        )
        events = sorted(read_log(path), key=lambda e: e.time)  # stable: file order on ties
    else:
        frame = pm4py.read_xes(str(path))
        events = list(read_log(path))
    legacy = pm4py.convert_to_event_log(frame)
    cases = [str(trace.attributes["concept:name"]) for trace in legacy]
    # Millions of loaded objects would otherwise be walked by every garbage collection that
    # either side's allocations trigger, timing the collector instead of the checkers.
    log = BenchLog(path, events, frame, legacy, cases, group_cases(events))
    gc.collect()
    gc.freeze()
    return log


def datasets(quick: bool) -> list[Path]:
    """The real logs (receipt, BPIC 2015), and the generated 1M-event log on a full run."""
    paths = [p for p in (RECEIPT, BPIC15) if p.exists()]
    if not quick and GENERATED.exists():
        paths.append(GENERATED)
    return paths
