"""The bureau rule set over generated logs: the incremental monitor and the batch ``check``.

Incremental: events already in memory are fed one by one to a ``Monitor`` (one core); the rate
is the best of a few runs, and the latency per event comes from a separate timed run.
Batch: a child process generates the log into memory, then times ``check`` over it, and reports
its peak resident memory (input included), so the parent's own memory does not blur it.
Both verify what they found: every planted breach found and no decoy (the generator's ground
truth), and the monitor fed one by one gives the batch findings.

The machine these run on is shared, so wall-clock rates move with its load. Each row therefore
also gives, from the same run, the processor time (what one core spent, whatever the load),
the load average, and a *bare pass*: the same events through a loop that only keeps each
case's latest event, the least any monitor must do. Rates measured under different loads are
compared through their share of the bare pass, not through their wall-clock value.

    python -m controls.bench.monitor --batch-child 1000000   # what the batch row runs
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from controls.bench.common import BenchRow
from controls.bench.generate import Planted, generate, ground_truth
from controls.events import Event, Finding, Stage
from controls.io import read_reference
from controls.monitor import Monitor, check
from controls.rules.catalog import RuleSet, load_rules

HERE = Path(__file__).resolve().parent
RULES = HERE / "bureau_rules.yaml"
TABLES = ("discretion_bands", "relations")

T = TypeVar("T")


def load() -> tuple[RuleSet, dict[str, Any]]:
    reference = {n: read_reference(HERE / "reference" / f"{n}.csv", n) for n in TABLES}
    return load_rules(RULES), reference


def matches_truth(found: Sequence[Finding], truth: Sequence[Planted]) -> bool:
    """Every planted breach found, no decoy found, and no finding outside the planted breaches."""
    hit = {(f.rule, c) for f in found if f.stage != Stage.BEFORE for c in f.cases}
    breaches = {(p.rule, p.case) for p in truth if p.breach}
    decoys = {(p.rule, p.case) for p in truth if not p.breach}
    stray = [f for f in found if not any((f.rule, c) in breaches for c in f.cases)]
    return breaches <= hit and not (decoys & hit) and not stray


def feed_all(ruleset: RuleSet, reference: Mapping[str, Any], events: Sequence[Event]) -> list[str]:
    monitor = Monitor(ruleset, reference=reference)
    found = [f.id for e in events for f in monitor.feed(e)]
    return found + [f.id for f in monitor.finish()]


def bare_pass(events: Sequence[Event]) -> int:
    """The same-run reference: each case's latest event kept, nothing judged."""
    latest: dict[str, Event] = {}
    for event in events:
        latest[event.case] = event
    return len(latest)


def timed(repeat: int, fn: Callable[[], T]) -> tuple[float, float, T]:
    """The least wall-clock and the least processor seconds of ``repeat`` runs, and a result.

    The least is the run least disturbed by the machine's other work.
    """
    wall = cpu = float("inf")
    result: T | None = None
    for _ in range(max(repeat, 1)):
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        cpu = min(cpu, time.process_time() - start_cpu)
        wall = min(wall, time.perf_counter() - start)
    assert result is not None
    return wall, cpu, result


def load_average() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _rates(n: int, wall: float, cpu: float, bare: float) -> str:
    return (
        f"processor time {cpu:.3f} s ({n / cpu:,.0f} events per processor-second); "
        f"bare pass {n / bare:,.0f} events/s, the monitor at {100 * bare / wall:.1f} % of it"
    )


def latencies(ruleset: RuleSet, reference: Mapping[str, Any], events: Sequence[Event]) -> list[int]:
    """Nanoseconds per ``feed`` call, one per event."""
    monitor = Monitor(ruleset, reference=reference)
    clock = time.perf_counter_ns
    spent = []
    for event in events:
        start = clock()
        monitor.feed(event)
        spent.append(clock() - start)
    return spent


def percentile(values: list[int], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] / 1000  # microseconds


def incremental(n_events: int, repeat: int) -> BenchRow:
    ruleset, reference = load()
    events = list(generate(n_events))
    before = load_average()
    bare, _, _ = timed(repeat, lambda: bare_pass(events))
    seconds, cpu, found = timed(repeat, lambda: feed_all(ruleset, reference, events))
    batch = [f.id for f in check(events, ruleset, reference=reference)]
    spent = latencies(ruleset, reference, events)
    p50, p99, worst = percentile(spent, 0.5), percentile(spent, 0.99), max(spent) / 1000
    truth = matches_truth(check(events, ruleset, reference=reference), ground_truth())
    return BenchRow(
        task="monitor feed (incremental)",
        dataset=f"generated-{_size(n_events)} × {len(ruleset.specs)} rules",
        events=n_events,
        seconds=seconds,
        identical=found == batch and truth,
        note=f"p50 {p50:.1f} µs, p99 {p99:.1f} µs, max {worst:.0f} µs; "
        f"{_rates(n_events, seconds, cpu, bare)}; load average {before} → {load_average()}; "
        f"{len(found)} findings; ground truth {'met' if truth else 'MISSED'}",
    )


def batch(n_events: int) -> BenchRow:
    """``check`` over ``n_events`` in a child process: seconds and peak memory."""
    child = subprocess.run(
        [sys.executable, "-m", "controls.bench.monitor", "--batch-child", str(n_events)],
        capture_output=True,
        text=True,
        check=True,
        cwd=HERE.parents[1],
    )
    report = json.loads(child.stdout.strip().splitlines()[-1])
    children_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return BenchRow(
        task="check (batch)",
        dataset=f"generated-{_size(n_events)} × {report['rules']} rules",
        events=n_events,
        seconds=report["seconds"],
        identical=report["truth"],
        note=f"peak RSS {max(report['peak_mb'], children_peak):.0f} MB "
        f"(input list {report['input_mb']:.0f} MB); "
        f"{_rates(n_events, report['seconds'], report['cpu'], report['bare'])}; "
        f"load average {report['load_before']} → {report['load_after']}; generating the "
        f"input took {report['generate_seconds']:.1f} s (not counted); "
        f"{report['findings']} findings; ground truth {'met' if report['truth'] else 'MISSED'}",
    )


def _batch_child(n_events: int) -> dict[str, Any]:
    ruleset, reference = load()
    start = time.perf_counter()
    events = list(generate(n_events))
    generated = time.perf_counter() - start
    gc.collect()
    input_mb = _rss_mb()
    before = load_average()
    bare, _, _ = timed(1, lambda: bare_pass(events))
    seconds, cpu, found = timed(1, lambda: check(events, ruleset, reference=reference))
    return {
        "rules": len(ruleset.specs),
        "seconds": seconds,
        "cpu": cpu,
        "bare": bare,
        "load_before": before,
        "load_after": load_average(),
        "generate_seconds": generated,
        "findings": len(found),
        "truth": matches_truth(found, ground_truth()),
        "input_mb": input_mb,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _rss_mb() -> float:
    """The resident memory now (Linux), in MB."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 1024 / 1024


def _size(n: int) -> str:
    return f"{n // 1_000_000}m" if n % 1_000_000 == 0 else f"{n // 1000}k"


def run(quick: bool) -> list[BenchRow]:
    if quick:
        return [incremental(50_000, repeat=2), batch(100_000)]
    return [incremental(300_000, repeat=3), batch(1_000_000)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m controls.bench.monitor")
    parser.add_argument("--batch-child", type=int, metavar="N", help="(internal) batch run")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.batch_child:
        print(json.dumps(_batch_child(args.batch_child)))
        return 0
    for row in run(args.quick):
        print(row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
