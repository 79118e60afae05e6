"""DECLARE conformance: our checker against the reference on the same log and constraints.

The model is discovered by the reference from the log itself (on BPIC 2015, over its 40 most
frequent of 398 activities: the reference's discovery of all pairs would take hours). Both sides
start from a log in memory grouped by case — the reference from its data frame and from its
legacy log object (the faster of the two is its time), ours from ``Event`` records grouped at
load (the note gives ours from the flat event list too, grouping included) — and check every
case; the per-case results (deviations in order, counts, fitness) must be identical.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from controls.bench.common import BenchRow, best_of
from controls.bench.reference_logs import BPIC15, BenchLog, datasets, load, quiet_pm4py
from controls.declare import check_traces, parse_model

MOST_FREQUENT = 40  # activities the model is discovered over, on logs with very many
LARGE = 100_000  # events: above this, each side runs once


def run(quick: bool) -> list[BenchRow]:
    repeat = 3 if quick else 5
    return [bench(load(path), repeat) for path in datasets(quick)]


def discover(log: BenchLog) -> dict[str, Any]:
    pm4py = quiet_pm4py()
    if log.path != BPIC15:
        return dict(pm4py.discover_declare(log.frame))
    counts = Counter(e.activity for e in log.events)
    chosen = {a for a, _ in counts.most_common(MOST_FREQUENT)}
    return dict(pm4py.discover_declare(log.frame, considered_activities=chosen))


def bench(log: BenchLog, repeat: int) -> BenchRow:
    pm4py = quiet_pm4py()
    reference_model = discover(log)
    model = parse_model(reference_model)
    single = 1 if len(log.events) > LARGE else repeat

    seconds, results = best_of(single, lambda: check_traces(model, log.traces()))
    flat_seconds, flat = best_of(single, lambda: check_traces(model, log.traces_from_events()))
    frame_seconds, _ = best_of(
        single, lambda: pm4py.conformance_declare(log.frame, reference_model)
    )
    legacy_seconds, expected = best_of(
        single, lambda: list(pm4py.conformance_declare(log.legacy, reference_model))
    )
    identical = results == flat and [r.as_pm4py() for r in results] == expected
    return BenchRow(
        task="DECLARE conformance",
        dataset=_name(log.path),
        events=len(log.events),
        seconds=seconds,
        reference_seconds=min(frame_seconds, legacy_seconds),
        identical=identical,
        note=f"{len(model.constraints)} constraints, {len(results)} cases, "
        f"{sum(not r.is_fit for r in results)} not fit; best of {single}; reference "
        f"{frame_seconds:.3f} s on its data frame, {legacy_seconds:.3f} s on its event log; "
        f"ours from the flat event list (grouping included) {flat_seconds:.3f} s, "
        f"{min(frame_seconds, legacy_seconds) / flat_seconds:.1f}×",
    )


def _name(path: Path) -> str:
    return path.name.replace("_eventdataR", "")
