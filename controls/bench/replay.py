"""Token-based replay: our replayer against the reference on the same model and log.

Both sides start from a log in memory and a model read from its file; ours compiles the net on
every run (the reference recomputes its invisible paths on every call too). Per-case figures and
the log fitness must be identical.
"""

from __future__ import annotations

import random
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from controls.bench.common import DATA_DIR, BenchRow, best_of
from controls.conformance import Replayer, TraceReplay, activity_traces, log_fitness, read_model
from controls.conformance.petri import PetriNet
from controls.io import read_log

SMALL = 100_000  # events; below this the reference is also timed on its legacy log object
GENERATED = Path(__file__).resolve().parents[2] / "var" / "bench" / "generated-1m.xes.gz"
KEYS = (
    "trace_is_fit",
    "trace_fitness",
    "missing_tokens",
    "consumed_tokens",
    "remaining_tokens",
    "produced_tokens",
)


def run(quick: bool) -> list[BenchRow]:
    import pm4py  # reference implementation, for comparison only

    warnings.filterwarnings("ignore")
    repeat = 3 if quick else 5
    rows = [
        _bench(DATA_DIR / "roadtraffic.pnml", DATA_DIR / "roadtraffic100traces.xes", repeat),
        _bench(DATA_DIR / "receipt.bpmn", DATA_DIR / "receipt_wabo_full.xes.gz", repeat),
    ]
    rows.append(_bench_damaged(DATA_DIR / "receipt.bpmn", DATA_DIR / "receipt_wabo_full.xes.gz"))
    if not quick and GENERATED.exists():
        # No hand-drawn model exists for the generated log: let the reference discover one.
        with tempfile.TemporaryDirectory() as folder:
            model = Path(folder) / "generated.pnml"
            log = pm4py.read_xes(str(GENERATED))
            net, im, fm = pm4py.discover_petri_net_inductive(log, noise_threshold=0.2)
            pm4py.write_pnml(net, im, fm, str(model))
            rows.append(_bench(model, GENERATED, 1))
    return rows


def _bench_damaged(model_path: Path, log_path: Path, repeat: int = 3) -> BenchRow:
    """The real traces with steps dropped, added and swapped (seeded): many unfit cases, so the
    invisible-path search and the missing-token accounting are what is measured."""
    import pm4py
    from pm4py.objects.log.obj import Event, EventLog, Trace

    traces = _damage(list(activity_traces(read_log(log_path)).values()), count=5000)
    reference_log = EventLog([Trace([Event({"concept:name": a}) for a in t]) for t in traces])
    net, im, fm = _reference_net(pm4py, model_path)
    model = read_model(str(model_path))

    def ours() -> list[TraceReplay]:
        return Replayer(model).replay_all(traces)

    def diagnostics() -> list[dict[str, Any]]:
        return list(pm4py.conformance_diagnostics_token_based_replay(reference_log, net, im, fm))

    seconds, results = best_of(repeat, ours)
    reference_seconds, expected = best_of(repeat, diagnostics)
    identical = [r.as_pm4py() for r in results] == [{k: e[k] for k in KEYS} for e in expected]
    return BenchRow(
        task="token-based replay",
        dataset=f"{log_path.name} damaged (5000 cases) on {model_path.name}",
        events=sum(len(t) for t in traces),
        seconds=seconds,
        reference_seconds=reference_seconds,
        identical=identical,
        note=f"log fitness {log_fitness(results).log_fitness:.6f}, "
        f"{sum(not r.is_fit for r in results)} of {len(results)} not fit",
    )


def _damage(traces: list[list[str]], count: int, seed: int = 2026) -> list[list[str]]:
    rng = random.Random(seed)
    alphabet = sorted({a for t in traces for a in t})
    out = []
    for _ in range(count):
        trace = list(rng.choice(traces))
        for _ in range(rng.randint(1, 3)):
            op = rng.random()
            if op < 0.3 and trace:
                del trace[rng.randrange(len(trace))]
            elif op < 0.6:
                trace.insert(rng.randint(0, len(trace)), rng.choice(alphabet))
            elif len(trace) > 1:
                i = rng.randrange(len(trace) - 1)
                trace[i], trace[i + 1] = trace[i + 1], trace[i]
        out.append(trace)
    return out


def _reference_net(pm4py: Any, model: Path) -> Any:
    if model.suffix == ".bpmn":
        return pm4py.convert_to_petri_net(pm4py.read_bpmn(str(model)))
    return pm4py.read_pnml(str(model))


def _bench(model_path: Path, log_path: Path, repeat: int) -> BenchRow:
    import pm4py

    frame = pm4py.read_xes(str(log_path))
    net, im, fm = _reference_net(pm4py, model_path)
    events = list(read_log(log_path))
    model: PetriNet = read_model(str(model_path))
    # The reference reports cases in its frame's order; ours are put in the same order.
    order = list(dict.fromkeys(frame["case:concept:name"]))

    def ours() -> tuple[list[TraceReplay], dict[str, float]]:
        traces = activity_traces(events)
        results = Replayer(model).replay_all([traces[case] for case in order])
        return results, log_fitness(results).as_pm4py()

    def diagnostics(log: Any) -> Callable[[], list[dict[str, Any]]]:
        return lambda: list(pm4py.conformance_diagnostics_token_based_replay(log, net, im, fm))

    def fitness(log: Any) -> Callable[[], dict[str, float]]:
        return lambda: dict(pm4py.fitness_token_based_replay(log, net, im, fm))

    seconds, (results, our_fitness) = best_of(repeat, ours)
    diagnostics_seconds, expected = best_of(repeat, diagnostics(frame))
    fitness_seconds, expected_fitness = best_of(repeat, fitness(frame))
    reference_seconds = min(diagnostics_seconds, fitness_seconds)
    if len(events) < SMALL:  # the legacy log object may be the faster input: take the faster
        legacy = pm4py.convert_to_event_log(frame)
        reference_seconds = min(
            reference_seconds,
            best_of(repeat, diagnostics(legacy))[0],
            best_of(repeat, fitness(legacy))[0],
        )
    identical = our_fitness == expected_fitness and [r.as_pm4py() for r in results] == [
        {k: e[k] for k in KEYS} for e in expected
    ]
    return BenchRow(
        task="token-based replay",
        dataset=f"{log_path.name} on {model_path.name}",
        events=len(events),
        seconds=seconds,
        reference_seconds=reference_seconds,
        identical=identical,
        note=f"log fitness {our_fitness['log_fitness']:.6f}, {len(results)} cases, "
        f"{sum(not r.is_fit for r in results)} not fit",
    )
