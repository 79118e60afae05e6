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

GENERATED = Path(__file__).resolve().parents[2] / "var" / "bench" / "generated-1m.xes.gz"


def run(quick: bool) -> list[BenchRow]:
    rows = [_bench(DATA_DIR / "receipt_wabo_full.xes.gz", repeat=3 if quick else 5)]
    if not quick and GENERATED.exists():
        rows.append(_bench(GENERATED, repeat=1))
    return rows


def _bench(path: Path, repeat: int) -> BenchRow:
    import pm4py  # reference implementation, for comparison only

    warnings.filterwarnings("ignore")
    reference_log = pm4py.read_xes(str(path), return_legacy_log_object=True)
    reference_frame = pm4py.convert_to_dataframe(reference_log)
    reference_model = pm4py.discover_declare(reference_log)
    events = list(read_log(path))
    model = parse_model(reference_model)

    def ours() -> list[TraceResult]:
        return check_traces(model, activity_traces(events).values())

    def reference_on_log() -> list[dict[str, Any]]:
        return list(pm4py.conformance_declare(reference_log, reference_model))

    def reference_on_frame() -> list[dict[str, Any]]:
        return list(pm4py.conformance_declare(reference_frame, reference_model))

    seconds, results = best_of(repeat, ours)
    log_seconds, expected = best_of(repeat, reference_on_log)
    frame_seconds, _ = best_of(repeat, reference_on_frame)
    identical = [r.as_pm4py() for r in results] == expected
    return BenchRow(
        task="DECLARE conformance",
        dataset=path.name,
        events=len(events),
        seconds=seconds,
        reference_seconds=min(log_seconds, frame_seconds),  # the reference's faster input form
        identical=identical,
        note=f"{len(model.constraints)} constraints, {len(results)} cases, "
        f"{sum(not r.is_fit for r in results)} not fit",
    )
