"""DECLARE conformance: our checker against the reference on the same log and constraints.

The model is discovered by the reference tool from the log itself; both sides start from a log
already in memory (the reference from its own log object, ours from ``Event`` records), check
every case, and must give identical per-case results.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from controls.bench.common import DATA_DIR, BenchRow, best_of
from controls.conformance.cases import activity_traces
from controls.declare import TraceResult, check_traces, parse_model
from controls.io import read_log

SMALL = 100_000  # events; below this the reference is also timed on its legacy log object
GENERATED = Path(__file__).resolve().parents[2] / "var" / "bench" / "generated-1m.xes.gz"


def run(quick: bool) -> list[BenchRow]:
    rows = [_bench(DATA_DIR / "receipt_wabo_full.xes.gz", repeat=3 if quick else 5)]
    if not quick and GENERATED.exists():
        rows.append(_bench(GENERATED, repeat=1))
    return rows


def _bench(path: Path, repeat: int) -> BenchRow:
    import pm4py  # reference implementation, for comparison only

    warnings.filterwarnings("ignore")
    frame = pm4py.read_xes(str(path))
    reference_model = pm4py.discover_declare(frame)
    events = list(read_log(path))
    model = parse_model(reference_model)
    # The reference reports cases in its frame's order; ours are put in the same order.
    order = list(dict.fromkeys(frame["case:concept:name"]))

    def ours() -> list[TraceResult]:
        traces = activity_traces(events)
        return check_traces(model, [traces[case] for case in order])

    def reference_on_frame() -> list[dict[str, Any]]:
        return list(pm4py.conformance_declare(frame, reference_model))

    seconds, results = best_of(repeat, ours)
    reference_seconds, expected = best_of(repeat, reference_on_frame)
    if len(events) < SMALL:  # the legacy log object may be the faster input: take the faster
        legacy = pm4py.convert_to_event_log(frame)
        legacy_seconds, _ = best_of(
            repeat, lambda: pm4py.conformance_declare(legacy, reference_model)
        )
        reference_seconds = min(reference_seconds, legacy_seconds)
    identical = [r.as_pm4py() for r in results] == expected
    return BenchRow(
        task="DECLARE conformance",
        dataset=path.name,
        events=len(events),
        seconds=seconds,
        reference_seconds=reference_seconds,
        identical=identical,
        note=f"{len(model.constraints)} constraints, {len(results)} cases, "
        f"{sum(not r.is_fit for r in results)} not fit",
    )
